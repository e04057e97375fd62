namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>The machine's installed kernel headers, linked read-only into temporary install trees.</summary>
internal static class KernelHeaders
{
    private static readonly Lazy<(string Kernel, string Dir)> Found = new(() =>
    {
        foreach (var k in Directory.Exists("/lib/modules") ? Directory.EnumerateDirectories("/lib/modules").Order(StringComparer.Ordinal) : Enumerable.Empty<string>())
        {
            var build = Path.Combine(k, "build");
            if (File.Exists(Path.Combine(build, "Makefile")) && Directory.Exists(Path.Combine(build, "include")))
            {
                return (Path.GetFileName(k), new DirectoryInfo(build).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? build);
            }
        }

        throw new InvalidOperationException("No kernel headers under /lib/modules/*/build: apt-get install linux-headers-amd64.");
    });

    public static string Kernel => Found.Value.Kernel;

    public static string Dir => Found.Value.Dir;

    /// <summary>Links the headers as <c>&lt;install_tree&gt;/&lt;kernel&gt;/build</c>.</summary>
    public static string LinkInto(string installTree)
    {
        var kernelDir = Path.Combine(installTree, Kernel);
        Directory.CreateDirectory(kernelDir);
        Directory.CreateSymbolicLink(Path.Combine(kernelDir, "build"), Dir);
        return Kernel;
    }
}
