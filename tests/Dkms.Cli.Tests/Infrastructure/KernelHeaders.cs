using Dkms.Core.Versioning;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>The real kernel headers installed on this machine (read only; tests link them into temp trees).</summary>
internal static class KernelHeaders
{
    private static readonly Lazy<(string Kernel, string Dir)> Found = new(Find);

    /// <summary>The kernel release of the headers (e.g. 6.1.0-56-amd64).</summary>
    public static string Kernel => Found.Value.Kernel;

    /// <summary>The headers directory (what <c>/lib/modules/&lt;k&gt;/build</c> points to).</summary>
    public static string Dir => Found.Value.Dir;

    private static (string, string) Find()
    {
        if (Environment.GetEnvironmentVariable("DKMSD_TEST_KERNEL") is { Length: > 0 } wanted)
        {
            var dir = Environment.GetEnvironmentVariable("DKMSD_TEST_HEADERS") ?? $"/usr/src/linux-headers-{wanted}";
            return Usable(dir) ? (wanted, dir) : throw new InvalidOperationException($"No usable headers for {wanted} at {dir}.");
        }

        var candidates = new List<(string Kernel, string Dir)>();
        if (Directory.Exists("/lib/modules"))
        {
            foreach (var k in Directory.EnumerateDirectories("/lib/modules"))
            {
                var build = Path.Combine(k, "build");
                if (Usable(build))
                {
                    candidates.Add((Path.GetFileName(k), Path.GetFullPath(new DirectoryInfo(build).ResolveLinkTarget(true)?.FullName ?? build)));
                }
            }
        }

        if (candidates.Count == 0)
        {
            // Headers unpacked without their /lib/modules link; Debian's "-common" half is not a kernel.
            foreach (var d in Directory.EnumerateDirectories("/usr/src", "linux-headers-*"))
            {
                var name = Path.GetFileName(d)["linux-headers-".Length..];
                if (Usable(d) && File.Exists(Path.Combine(d, "Module.symvers")))
                {
                    candidates.Add((name, d));
                }
            }
        }

        return candidates.Count > 0
            ? candidates.OrderBy(c => c.Kernel, VersionOrder.Natural).Last()
            : throw new InvalidOperationException(
                "No kernel headers found: install them (apt-get install linux-headers-amd64) or set DKMSD_TEST_KERNEL.");
    }

    private static bool Usable(string dir) =>
        Directory.Exists(Path.Combine(dir, "include")) && File.Exists(Path.Combine(dir, "Makefile"));
}
