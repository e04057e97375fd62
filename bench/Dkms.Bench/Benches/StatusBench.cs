using Dkms.Bench.Infrastructure;
using Dkms.Bench.Trees;

namespace Dkms.Bench.Benches;

/// <summary>
/// <c>status</c> as whole processes on one tree, the tools run alternately: <c>dkms status</c> in its mount
/// shield, <c>dkmsctl status</c> through a running dkmsd, and <c>dkmsctl --offline status</c>.
/// </summary>
internal sealed class StatusBench(BenchOptions o)
{
    public async Task<StatusRow> MeasureAsync(string label, BenchTrees t, int modules, int kernels, Func<DaemonHost, Task>? whileUp = null)
    {
        var dkms = Shield.Wrap(t.StateDir, t.InstallTree, ["/usr/sbin/dkms", .. t.DkmsArgs, "status"]);
        string[] offline = [o.Dkmsctl, "--offline", .. t.TreeArgs, "status"];
        string[] remote = [o.Dkmsctl, "--socket", t.Socket, "status"];
        var daemonCmd = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsd, "--socket", t.Socket, .. t.TreeArgs, "--no-dbus"]);
        await using var daemon = await DaemonHost.StartAsync(daemonCmd, t.Socket, Path.Combine(t.Root, "run", "notify"));

        // One untimed run of each fills the page cache (dkms's only when it is cheap) and checks the outputs agree.
        var first = await RunAsync(remote);
        var offlineOut = await RunAsync(offline);
        var dkmsOut = modules * kernels <= 100 ? await RunAsync(dkms) : null;
        var ds = new List<double>();
        var rs = new List<double>();
        var os = new List<double>();
        var budget = o.StatusBudget.TotalSeconds;
        for (var i = 0; i < o.StatusRuns; i++)
        {
            if (i == 0 || ds.Sum() < budget)
            {
                var r = await RunAsync(dkms);
                dkmsOut ??= r;
                ds.Add(r.Elapsed.TotalSeconds);
            }

            rs.Add((await RunAsync(remote)).Elapsed.TotalSeconds);
            os.Add((await RunAsync(offline)).Elapsed.TotalSeconds);
        }

        if (whileUp is not null)
        {
            await whileUp(daemon);
        }

        var same = Sorted(first.Stdout) == Sorted(dkmsOut!.Stdout) && first.Stdout == offlineOut.Stdout;
        if (!same)
        {
            Console.Error.WriteLine($"status differs on {label}:\n--- dkms\n{dkmsOut.Stdout}\n--- dkmsctl\n{first.Stdout}");
        }

        var lines = first.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var row = new StatusRow(label, modules, kernels, lines, Summary.Of(ds), Summary.Of(rs), Summary.Of(os), same);
        Console.WriteLine($"  status {label}: dkms {Summary.Time(row.Dkms.Median)}, dkmsctl→dkmsd {Summary.Time(row.Daemon.Median)}, "
            + $"offline {Summary.Time(row.Offline.Median)} ({row.Ratio:0}×)");
        return row;
    }

    private static async Task<ProcResult> RunAsync(string[] cmd) => (await Proc.RunAsync(cmd[0], cmd[1..])).Checked(string.Join(' ', cmd.TakeLast(3)));

    private static string Sorted(string s) => string.Join('\n', s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
}
