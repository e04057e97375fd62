using System.Globalization;
using Dkms.Bench;
using Dkms.Bench.Benches;
using Dkms.Bench.Infrastructure;
using Dkms.Bench.Report;
using Dkms.Bench.Trees;

// dkmsd/dkmsctl against Debian's dkms 3.0.10 on identical temporary trees; see bench/run and RESULTS.md.
var o = BenchOptions.Parse(args);
if (!Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("bench: needs root (dkms runs in a private mount namespace).");
    return 2;
}

foreach (var binary in new[] { o.Dkmsd, o.Dkmsctl })
{
    if (!File.Exists(binary))
    {
        Console.Error.WriteLine($"bench: {binary} is missing: run scripts/install.");
        return 2;
    }
}

if (!File.Exists("/usr/sbin/dkms"))
{
    Console.WriteLine("Installing the reference dkms (apt-get install dkms)...");
    (await Proc.RunAsync("apt-get", ["install", "-y", "--no-install-recommends", "dkms"],
        new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" })).Checked("apt-get install dkms");
}

Directory.CreateDirectory(o.OutDir);
Directory.CreateDirectory(o.WorkDir);
Console.WriteLine($"bench: {(o.Smoke ? "smoke" : "full")} run in {o.WorkDir}, results to {o.OutDir}");
var results = new ResultsWriter(await MachineFacts.CollectAsync(o));
var headline = new List<(string, string, string)>();
string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
try
{
    if (o.LimitsOnly)
    {
        return await LimitsRun.RunAsync(o);
    }

    if (o.SandboxCostOnly)
    {
        return await SandboxCostRun.RunAsync(o, results);
    }

    if (o.ArtifactsOnly)
    {
        // librem_ec_acpi does not build on these headers with either tool (RESULTS.md): a failed build has no artifact, so
        // B would run its failing make too; it is left out so the figure compares installs.
        return await ArtifactBench.RunAsync(o, o.Smoke
            ? ExampleModules.Create(o, Directory.CreateDirectory(Path.Combine(o.WorkDir, "examples")).FullName, 2)
            : [.. (await CorpusSources.UnpackAsync(o, Path.Combine(o.WorkDir, "corpus-debs")))
                .Where(m => !o.ExcludedFromAutoinstall.Contains(m.Package) && m.Package != "librem-ec-acpi-dkms")]);
    }

    if (o.StatusScaleOnly)
    {
        return await StatusScaleRun.RunAsync(o, results);
    }

    // 2. autoinstall first: its dkmsd tree is then the corpus tree of the status measurement.
    Console.WriteLine("autoinstall...");
    var modules = o.Smoke
        ? ExampleModules.Create(o, Directory.CreateDirectory(Path.Combine(o.WorkDir, "examples")).FullName, 2)
        : [.. (await CorpusSources.UnpackAsync(o, Path.Combine(o.WorkDir, "corpus-debs"))).Where(m => !o.ExcludedFromAutoinstall.Contains(m.Package))];
    var auto = new AutoinstallBench(o);
    var ai = await auto.RunAsync(Path.Combine(o.WorkDir, "autoinstall"), modules);
    var notes = o.Smoke
        ? "Smoke mode: two copies of examples/hello-dkms-1.0 stand in for the corpus."
        : $"The public corpus of /work/shared/CORPUS.md except {string.Join(", ", o.ExcludedFromAutoinstall)} (lttng does not compile against "
          + "these headers; jool, the longest single build at ~75 s, was left out to fit the run in the time available), added with `dkmsctl --offline add` to two identical fresh trees. dkmsd runs in the same "
          + "mount shield as dkms, started with `--workers 2 --no-dbus`; the harness watches the gRPC Watch stream, links "
          + "`<installtree>/<k>/build` to the headers (t = 0) and stops the clock when the `kernel_settled` event arrives. "
          + "Then `dkms autoinstall -k <k>` runs on its own tree. Each tool runs once (minutes each).";
    notes += " Build CPU: for dkmsd, the growth of cutime + cstime in /proc/<dkmsd>/stat between t = 0 and settled (every build "
        + "process is a reaped descendant); for dkms, the growth of the harness's getrusage(RUSAGE_CHILDREN) across the dkms process. "
        + "Longest single job: the longest started → finished span of dkmsd's jobs (ListJobs), which run the same make as dkms. "
        + "Both tools use make -j2 (parallel_jobs defaults to the CPU count).";
    var timeline = "autoinstall-timeline.png";
    Plots.Timeline(ai, Path.Combine(o.OutDir, timeline));

    // 1. status.
    Console.WriteLine("status...");
    var status = new StatusBench(o);
    var rows = new List<StatusRow>();
    IReadOnlyList<RpcResult> rpc = [];
    var corpusTrees = auto.DaemonTrees!;
    await TreeCopy.DuplicateKernelAsync(corpusTrees, KernelHeaders.Kernel, KernelHeaders.Name(1));
    rows.Add(await status.MeasureAsync(o.Smoke ? "examples × 2 kernels" : "corpus × 2 kernels", corpusTrees, modules.Count, 2,
        async d => rpc = await new RpcBench(o).RunAsync(d)));
    var template = await SyntheticTree.TemplateAsync(o, Path.Combine(o.WorkDir, "synthetic-template"));
    foreach (var (size, kernels) in o.SyntheticCells)
    {
        var t = new BenchTrees(Path.Combine(o.WorkDir, $"synthetic-{size}x{kernels}"));
        template.Generate(t, size, kernels);
        rows.Add(await status.MeasureAsync($"synthetic {size} × {kernels}", t, size, kernels));
        Directory.Delete(t.Root, recursive: true);
    }

    var scale = await new StatusScaleBench(o).RunAsync(template, Path.Combine(o.WorkDir, "status-scale"));
    var statusPlot = "status-vs-size.png";
    Plots.Status(rows, Path.Combine(o.OutDir, statusPlot));

    // 3. the daemon at rest.
    Console.WriteLine("daemon...");
    var daemon = await new DaemonBench(o).RunAsync(Path.Combine(o.WorkDir, "daemon"));

    var corpusRow = rows[0];
    headline.Add((I($"status, {corpusRow.Tree}: dkms ÷ dkmsctl→dkmsd"), I($"{corpusRow.Ratio:0}× ({Summary.Time(corpusRow.Dkms.Median)} vs {Summary.Time(corpusRow.Daemon.Median)})"), "≥ 200×"));
    var largest = rows.MaxBy(r => r.Lines)!;
    headline.Add(("status, largest tree: dkms ÷ dkmsctl→dkmsd", I($"{largest.Ratio:0}× ({largest.Tree}, {Summary.Time(largest.Dkms.Median)} vs {Summary.Time(largest.Daemon.Median)})"), "≥ 200×"));
    headline.AddRange(StatusScaleRun.Headline(scale));
    headline.AddRange(ResultsWriter.RpcHeadline(rpc));
    headline.Add(("dkmsd start → READY=1 (median)", Summary.Time(daemon.Ready.Median), "≤ 100 ms"));
    headline.Add(ResultsWriter.IdleRssHeadline(daemon));
    headline.Add(("autoinstall: dkmsd ÷ dkms wall", I($"{ai.RatioToDkms:0.00} ({Summary.Time(ai.DaemonWall)} vs {Summary.Time(ai.DkmsWall)})"), "≤ 0.60"));
    headline.Add(("autoinstall: dkmsd ÷ physical bound", I($"{ai.RatioToBound:0.00} (bound {Summary.Time(ai.Bound)})"), "≤ 1.15"));
    headline.Add(("headers appear → first job started", Summary.Time(ai.HeadersToFirstJob), "≤ 1 s"));

    results.Headline(headline);
    results.Status(rows, statusPlot);
    results.Autoinstall(ai, timeline, notes);
    results.Daemon(daemon);
    results.Rpc(rpc, o.Smoke ? "the examples tree" : "the corpus tree on two kernels");
    results.StatusScale(scale);
    results.WriteTo(o.OutDir, "RESULTS.md");
    return 0;
}
finally
{
    if (!o.Keep)
    {
        try
        {
            Directory.Delete(o.WorkDir, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"bench: could not remove {o.WorkDir}: {e.Message}");
        }
    }
}
