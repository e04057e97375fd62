namespace Dkms.Bench.Trees;

/// <summary>The machine's one set of real kernel headers (as in the daemon tests' KernelHeaders).</summary>
internal static class KernelHeaders
{
    private static readonly Lazy<(string Kernel, string Dir)> Found = new(() =>
    {
        foreach (var k in Directory.EnumerateDirectories("/lib/modules").Order(StringComparer.Ordinal))
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

    /// <summary>Kernel names for status-only copies: the real one, then made-up ones that sort after it.</summary>
    public static string Name(int index) => index == 0 ? Kernel : $"{Kernel}+bench{index}";
}
