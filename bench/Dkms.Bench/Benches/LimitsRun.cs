using System.Diagnostics;
using System.Globalization;
using Dkms.Bench.Infrastructure;
using Dkms.Bench.Trees;

namespace Dkms.Bench.Benches;

/// <summary>
/// <c>bench/run --limits</c> (issue 14): what one build's output and one unprivileged user can make dkmsd spend. dkmsd's
/// RSS after a job whose make prints 100 MB; peak and after RSS with 6 concurrent widest Status calls as nobody; root's
/// <c>dkmsctl status</c> latency while nobody attempts 20,000 idle connections. Written to RESULTS-limits.md.
/// </summary>
internal static class LimitsRun
{
    public static async Task<int> RunAsync(BenchOptions o)
    {
        var client = Path.Combine(o.RepositoryRoot, "tests", "Dkms.Daemon.TestClient", "bin", "Debug", "net10.0", "dkmsd-testclient");
        if (!File.Exists(client))
        {
            Console.Error.WriteLine($"bench: {client} is missing: dotnet build DkmsDaemon.sln first.");
            return 2;
        }

        var t = new BenchTrees(Path.Combine(o.WorkDir, "limits"));
        foreach (var dir in new[] { o.WorkDir, t.Root })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8)); // nobody reaches the socket
        }

        t.LinkHeaders(KernelHeaders.Kernel, KernelHeaders.Dir);
        var src = Directory.CreateDirectory(Path.Combine(t.SourceTree, "loud-1.0")).FullName;
        await File.WriteAllTextAsync(Path.Combine(src, "Makefile"), "obj-m := loud.o\n");
        await File.WriteAllTextAsync(Path.Combine(src, "loud.c"), "#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n");
        await File.WriteAllTextAsync(Path.Combine(src, "dkms.conf"),
            "PACKAGE_NAME=loud\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=loud\nDEST_MODULE_LOCATION[0]=/extra\n"
            + "MAKE[0]=\"yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789 | head -c 104857600; false\"\n");
        for (var i = 0; i < 50; i++)
        {
            // Added modules for Status to walk over 64 kernels.
            var m = Directory.CreateDirectory(Path.Combine(t.SourceTree, $"quiet{i}-1.0")).FullName;
            await File.WriteAllTextAsync(Path.Combine(m, "dkms.conf"), $"PACKAGE_NAME=quiet{i}\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=quiet{i}\nDEST_MODULE_LOCATION[0]=/extra\n");
            var v = Directory.CreateDirectory(Path.Combine(t.DkmsTree, $"quiet{i}", "1.0")).FullName;
            File.CreateSymbolicLink(Path.Combine(v, "source"), m);
        }

        string[] cmd = [o.Dkmsd, "--socket", t.Socket, .. t.TreeArgs, "--no-dbus", "--no-automation"];
        await using var daemon = await DaemonHost.StartAsync(cmd, t.Socket, Path.Combine(t.Root, "run", "notify"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var idle = ProcStat.StatusKb(daemon.Pid);
        var lines = new List<string>();
        string Mib(long kb) => (kb / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

        // 1. a job printing 100 MB.
        (await Proc.RunAsync(o.Dkmsctl, ["--socket", t.Socket, "add", "loud/1.0"])).Checked("dkmsctl add");
        var build = await Proc.RunAsync(o.Dkmsctl, ["--socket", t.Socket, "build", "loud/1.0", "-k", KernelHeaders.Kernel]);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var makeLog = Directory.EnumerateFiles(Path.Combine(t.DkmsTree, "loud"), "make.log", SearchOption.AllDirectories).FirstOrDefault()
            ?? throw new InvalidOperationException($"no make.log: build exit {build.ExitCode}\n{build.Stdout}\n{build.Stderr}");
        var afterBuild = ProcStat.StatusKb(daemon.Pid);
        var peakBuild = ProcStat.StatusKb(daemon.Pid, "VmHWM");
        lines.Add($"| dkmsd RSS after a job whose make printed 100 MB (make.log {new FileInfo(makeLog).Length / 1024 / 1024} MiB; build exit {build.ExitCode}) | {Mib(afterBuild)} (idle {Mib(idle)}, peak so far {Mib(peakBuild)}) | within 100 MB of idle |");

        // 2. six concurrent widest Status calls as nobody.
        var before = ProcStat.StatusKb(daemon.Pid);
        var sw = Stopwatch.StartNew();
        var wide = await AsNobodyAsync(client, [t.Socket, "MaxStatus", "6"]);
        sw.Stop();
        await Task.Delay(TimeSpan.FromSeconds(2));
        lines.Add($"| 6 concurrent Status calls as nobody, 64 kernels × 51 modules each ({wide.Stdout.Trim()}, {sw.Elapsed.TotalSeconds:0.00} s) | peak {Mib(ProcStat.StatusKb(daemon.Pid, "VmHWM"))}, after {Mib(ProcStat.StatusKb(daemon.Pid))} (before {Mib(before)}) | within 100 MB of idle |");

        // 3. root's status while nobody attempts 20,000 idle connections.
        var flood = AsNobodyAsync(client, [t.Socket, "Hold", "20000", "5"]);
        var worst = TimeSpan.Zero;
        var answered = 0;
        var rounds = 0;
        while (!flood.IsCompleted && rounds < 100)
        {
            var s = await Proc.RunAsync(o.Dkmsctl, ["--socket", t.Socket, "status"], timeout: TimeSpan.FromSeconds(60));
            worst = s.Elapsed > worst ? s.Elapsed : worst;
            answered += s.ExitCode == 0 ? 1 : 0;
            rounds++;
            await Task.Delay(200);
        }

        var held = (await flood).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Add($"| root's `dkmsctl status` while nobody attempts 20,000 idle connections ({string.Join("; ", held)}) | worst {Summary.Time(worst.TotalSeconds)} over {rounds} calls ({answered} answered), RSS after {Mib(ProcStat.StatusKb(daemon.Pid))} | < 1 s |");

        var text = "| measure | result | target |\n|---|---|---|\n" + string.Join('\n', lines) + "\n";
        Directory.CreateDirectory(o.OutDir);
        await File.WriteAllTextAsync(Path.Combine(o.OutDir, "RESULTS-limits.md"), text);
        Console.WriteLine(text);
        return 0;
    }

    private static Task<ProcResult> AsNobodyAsync(string client, string[] args) =>
        Proc.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", client, .. args],
            new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["DOTNET_CLI_HOME"] = "/tmp" }, TimeSpan.FromMinutes(10));
}
