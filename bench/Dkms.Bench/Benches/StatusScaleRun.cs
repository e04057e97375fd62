using System.Globalization;
using Dkms.Bench.Infrastructure;
using Dkms.Bench.Report;
using Dkms.Bench.Trees;

namespace Dkms.Bench.Benches;

/// <summary>
/// <c>bench/run --status-scale</c>: the status figures alone (a few minutes instead of the full run): the scale row,
/// the RPCs on the corpus tree (autoinstalled by dkmsd only) and the idle daemon. Written to RESULTS-status-scale.md.
/// </summary>
internal static class StatusScaleRun
{
    public static async Task<int> RunAsync(BenchOptions o, ResultsWriter results)
    {
        Console.WriteLine("status at scale...");
        var template = await SyntheticTree.TemplateAsync(o, Path.Combine(o.WorkDir, "synthetic-template"));
        var scale = await new StatusScaleBench(o).RunAsync(template, Path.Combine(o.WorkDir, "status-scale"));

        Console.WriteLine("rpc on the corpus tree...");
        var modules = o.Smoke
            ? ExampleModules.Create(o, Directory.CreateDirectory(Path.Combine(o.WorkDir, "examples")).FullName, 2)
            : [.. (await CorpusSources.UnpackAsync(o, Path.Combine(o.WorkDir, "corpus-debs"))).Where(m => !o.ExcludedFromAutoinstall.Contains(m.Package))];
        var corpus = await new AutoinstallBench(o).DaemonOnlyAsync(Path.Combine(o.WorkDir, "autoinstall"), modules);
        await TreeCopy.DuplicateKernelAsync(corpus, KernelHeaders.Kernel, KernelHeaders.Name(1));
        var cmd = Shield.Wrap(corpus.StateDir, corpus.InstallTree, [o.Dkmsd, "--socket", corpus.Socket, .. corpus.TreeArgs, "--no-dbus"]);
        IReadOnlyList<RpcResult> rpc;
        await using (var daemon = await DaemonHost.StartAsync(cmd, corpus.Socket, Path.Combine(corpus.Root, "run", "notify")))
        {
            rpc = await new RpcBench(o).RunAsync(daemon);
        }

        Console.WriteLine("daemon...");
        var idle = await new DaemonBench(o).RunAsync(Path.Combine(o.WorkDir, "daemon"));

        results.Headline([.. Headline(scale), .. ResultsWriter.RpcHeadline(rpc), ResultsWriter.IdleRssHeadline(idle)]);
        results.StatusScale(scale);
        results.Rpc(rpc, o.Smoke ? "the examples tree" : "the corpus tree on two kernels");
        results.Daemon(idle);
        results.WriteTo(o.OutDir, "RESULTS-status-scale.md");
        return 0;
    }

    /// <summary>The headline rows of the scale row: 2,500 lines against the floor and against the small tree.</summary>
    public static IEnumerable<(string, string, string)> Headline(StatusScaleResult r) =>
    [
        (string.Create(CultureInfo.InvariantCulture, $"status, {r.LargeLines} lines through dkmsd ÷ process floor"),
            string.Create(CultureInfo.InvariantCulture, $"{r.LargeToFloor:0.00}× ({Summary.Time(r.Large.Median)} vs {Summary.Time(r.Floor.Median)})"), "≤ 3×"),
        (string.Create(CultureInfo.InvariantCulture, $"status, {r.LargeLines} lines ÷ {r.SmallLines} lines through dkmsd"),
            string.Create(CultureInfo.InvariantCulture, $"{r.LargeToSmall:0.00}× ({Summary.Time(r.Large.Median)} vs {Summary.Time(r.Small.Median)})"), "≤ 2×"),
    ];
}
