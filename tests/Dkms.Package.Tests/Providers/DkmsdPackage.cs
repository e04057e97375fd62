using Dkms.Package.Tests.Infrastructure;

namespace Dkms.Package.Tests.Providers;

/// <summary>Our .deb, as scripts/package leaves it in artifacts/.</summary>
internal static class DkmsdPackage
{
    /// <summary>The newest artifacts/dkmsd_*_amd64.deb; a missing package fails the test, it never skips it.</summary>
    public static string Find()
    {
        var newest = Directory.Exists(RepositoryPaths.Artifacts)
            ? new DirectoryInfo(RepositoryPaths.Artifacts).EnumerateFiles("dkmsd_*_amd64.deb")
                .OrderByDescending(f => f.LastWriteTimeUtc)
                .FirstOrDefault()
            : null;
        return newest?.FullName ?? throw new FileNotFoundException(
            $"No dkmsd_*_amd64.deb in {RepositoryPaths.Artifacts}: run scripts/package first (scripts/test-packages does).");
    }
}
