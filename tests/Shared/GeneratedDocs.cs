namespace Dkms.Tests.Shared;

/// <summary>
/// The man pages and completions under share/ are generated from the programs' tables and committed: a test compares
/// them with what the code generates now, and scripts/generate-docs (DKMS_UPDATE_DOCS=1) rewrites them.
/// </summary>
internal static class GeneratedDocs
{
    public static string Root { get; } = FindRoot();

    /// <summary>Rewrites <paramref name="relativePath"/> when DKMS_UPDATE_DOCS=1; otherwise returns what differs, or null.</summary>
    public static string? Stale(string relativePath, string generated)
    {
        var path = Path.Combine(Root, relativePath);
        if (Environment.GetEnvironmentVariable("DKMS_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
            return null;
        }

        var committed = File.Exists(path) ? File.ReadAllText(path) : null;
        return committed == generated ? null : $"{relativePath} is not what the code generates now: run scripts/generate-docs and commit it.";
    }

    private static string FindRoot()
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
