namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (examples, systemd/).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Find();

    public static string Example => Path.Combine(Root, "examples", "hello-dkms-1.0");

    public static string DBusPolicyDir => Path.Combine(Root, "systemd", "dbus");

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
