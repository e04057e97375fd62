namespace Dkms.Package.Tests.Infrastructure;

/// <summary>Where the repository is (found from the test binaries) and where this suite writes.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Find();

    public static string Artifacts => Path.Combine(Root, "artifacts");

    /// <summary>The per-provider TSV tables, REPORT.md and the per-flow logs.</summary>
    public static string PackageFlows => Path.Combine(Artifacts, "package-flows");

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "DkmsDaemon.sln")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (DkmsDaemon.sln) is not above the test binaries.");
    }
}
