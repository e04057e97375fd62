using Dkms.Bench.Infrastructure;
using Dkms.Bench.Trees;

namespace Dkms.Bench.Benches;

/// <summary>
/// <c>dkmsctl status</c> through dkmsd at scale: a 50-line tree (10 modules × 5 kernels) and 500 modules × 5 kernels
/// (2,500 lines), each served by its own AOT dkmsd, against the process floor (<c>dkms -V</c>: the same binary); they
/// are run alternately in the same run, so load on the machine weighs on each alike.
/// </summary>
internal sealed class StatusScaleBench(BenchOptions o)
{
    public const int Kernels = 5;

    public async Task<StatusScaleResult> RunAsync(SyntheticTree template, string root)
    {
        var (smallModules, largeModules) = o.Smoke ? (2, 20) : (10, 500);
        var small = new BenchTrees(Path.Combine(root, "small"));
        var large = new BenchTrees(Path.Combine(root, "large"));
        template.Generate(small, smallModules, Kernels);
        template.Generate(large, largeModules, Kernels);
        await using var smallDaemon = await StartAsync(small);
        await using var largeDaemon = await StartAsync(large);

        // The process floor: dkmsctl under the name dkms printing its version (start, parse, one line). dkmsctl's own
        // --version is not the floor any more: it also tries the build sandbox (a bubblewrap run), shown beside it.
        var dkms = Path.Combine(root, "dkms");
        File.Delete(dkms);
        File.CreateSymbolicLink(dkms, o.Dkmsctl);
        string[] floor = [dkms, "-V"];
        string[] version = [o.Dkmsctl, "--version"];
        string[] smallStatus = [o.Dkmsctl, "--socket", small.Socket, "status"];
        string[] largeStatus = [o.Dkmsctl, "--socket", large.Socket, "status"];
        var smallLines = Lines(await RunAsync(smallStatus)); // untimed: the first call computes the daemon's state
        var largeLines = Lines(await RunAsync(largeStatus));
        await RunAsync(floor);
        await RunAsync(version);
        var (fs, vs, ss, ls) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var i = 0; i < ScaleRuns; i++)
        {
            fs.Add((await RunAsync(floor)).Elapsed.TotalSeconds);
            vs.Add((await RunAsync(version)).Elapsed.TotalSeconds);
            ss.Add((await RunAsync(smallStatus)).Elapsed.TotalSeconds);
            ls.Add((await RunAsync(largeStatus)).Elapsed.TotalSeconds);
        }

        var result = new StatusScaleResult(Summary.Of(fs), Summary.Of(vs), smallLines, Summary.Of(ss), largeLines, Summary.Of(ls), ProcStat.StatusKb(largeDaemon.Pid));
        Console.WriteLine($"  status at scale: floor {Summary.Time(result.Floor.Median)}, {smallLines} lines {Summary.Time(result.Small.Median)}, "
            + $"{largeLines} lines {Summary.Time(result.Large.Median)} ({result.LargeToFloor:0.00}× floor, {result.LargeToSmall:0.00}× small)");
        return result;
    }

    private int ScaleRuns => o.Smoke ? 3 : 15;

    private async Task<DaemonHost> StartAsync(BenchTrees t)
    {
        var cmd = Shield.Wrap(t.StateDir, t.InstallTree, [o.Dkmsd, "--socket", t.Socket, .. t.TreeArgs, "--no-dbus", "--no-automation"]);
        return await DaemonHost.StartAsync(cmd, t.Socket, Path.Combine(t.Root, "run", "notify"));
    }

    private static int Lines(ProcResult r) => r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static async Task<ProcResult> RunAsync(string[] cmd) => (await Proc.RunAsync(cmd[0], cmd[1..])).Checked(string.Join(' ', cmd.TakeLast(2)));
}

/// <summary>The status-at-scale row: the process floor, dkmsctl --version, the small tree and the large tree, whole client processes.</summary>
internal sealed record StatusScaleResult(Summary Floor, Summary Version, int SmallLines, Summary Small, int LargeLines, Summary Large, long LargeDaemonRssKb)
{
    public double LargeToFloor => Large.Median / Floor.Median;

    public double LargeToSmall => Large.Median / Small.Median;
}
