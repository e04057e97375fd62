using Dkms.Bench.Infrastructure;

namespace Dkms.Bench.Report;

/// <summary>What the numbers were measured on.</summary>
internal static class MachineFacts
{
    public static async Task<IReadOnlyList<(string, string)>> CollectAsync(BenchOptions o)
    {
        async Task<string> Sh(string s) => (await Proc.ShAsync(s)).Stdout.Trim();
        return
        [
            ("date (UTC)", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)),
            ("commit", await Sh($"git -C '{o.RepositoryRoot}' rev-parse --short HEAD; git -C '{o.RepositoryRoot}' diff --quiet HEAD -- src || echo '(src modified)'")),
            ("mode", o.Smoke ? "smoke (tiny sizes)" : "full"),
            ("CPU", await Sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2") + $" — {o.Cores} cores visible"),
            ("memory", await Sh("free -m | awk '/Mem:/{print $2\" MiB\"}'")),
            ("running kernel", await Sh("uname -r")),
            ("headers", Trees.KernelHeaders.Kernel + " → " + Trees.KernelHeaders.Dir),
            ("reference dkms", await Sh("dpkg-query -W -f '${Version}' dkms 2>/dev/null || echo missing")),
            ("dkmsd / dkmsctl", $"{o.Dkmsd}, {o.Dkmsctl}"),
            (".NET SDK", await Sh("dotnet --version 2>/dev/null || echo '?'")),
            ("load average at start", await Sh("cut -d' ' -f1-3 /proc/loadavg")),
        ];
    }
}
