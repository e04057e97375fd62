using Dkms.Bench.Infrastructure;
using Dkms.Bench.Trees;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Bench.Benches;

/// <summary>
/// A kernel's headers appear on a tree where the modules are added: dkmsd (automation, <c>--workers 2</c>) notices
/// and settles the kernel; on an identical tree <c>dkms autoinstall -k K</c> runs in its shield. dkmsd goes first,
/// after the headers were read once so neither tool pays for a cold page cache.
/// </summary>
internal sealed class AutoinstallBench(BenchOptions o)
{
    private const int Workers = 2;

    /// <summary>The dkmsd tree after its batch (kept for the corpus status measurement).</summary>
    public BenchTrees? DaemonTrees { get; private set; }

    public async Task<AutoinstallResult> RunAsync(string root, IReadOnlyList<CorpusModule> modules)
    {
        var kernel = KernelHeaders.Kernel;
        var a = new BenchTrees(Path.Combine(root, "dkmsd"));
        var b = new BenchTrees(Path.Combine(root, "dkms"));
        await CorpusSources.AddAsync(o, a, modules);
        await CorpusSources.AddAsync(o, b, modules);
        await Proc.ShAsync($"find -L '{KernelHeaders.Dir}' -type f -print0 2>/dev/null | xargs -0 cat > /dev/null 2>&1; true", TimeSpan.FromMinutes(5));

        var daemon = await DaemonBatchAsync(a, kernel);
        DaemonTrees = a;

        Console.WriteLine($"  dkms autoinstall -k {kernel} ({modules.Count} modules)...");
        var dkms = Shield.Wrap(b.StateDir, b.InstallTree, ["/usr/sbin/dkms", .. b.DkmsArgs, "autoinstall", "-k", kernel]);
        b.LinkHeaders(kernel, KernelHeaders.Dir);
        var cpu0 = ProcStat.ChildrenCpuSeconds();
        var r = await Proc.RunAsync(dkms[0], dkms[1..], timeout: TimeSpan.FromMinutes(40));
        var dkmsCpu = ProcStat.ChildrenCpuSeconds() - cpu0;
        Console.WriteLine($"  dkms: {r.Elapsed.TotalSeconds:0.0} s wall (exit {r.ExitCode}), {dkmsCpu:0.0} s CPU");

        var sa = await StatusAsync(a);
        var sb = await StatusAsync(b);
        return daemon with
        {
            DkmsWall = r.Elapsed.TotalSeconds,
            DkmsCpu = dkmsCpu,
            DaemonInstalled = Installed(sa),
            DkmsInstalled = Installed(sb),
            SameStatus = sa.Replace(a.Root, "<root>", StringComparison.Ordinal) == sb.Replace(b.Root, "<root>", StringComparison.Ordinal),
            Modules = [.. modules.Select(m => m.Ref)],
        };
    }

    /// <summary>Only dkmsd's half: the corpus added and autoinstalled by dkmsd; its trees (the corpus tree of the status figures).</summary>
    public async Task<BenchTrees> DaemonOnlyAsync(string root, IReadOnlyList<CorpusModule> modules)
    {
        await DaemonOnlyAsync(root, modules, string.Empty);
        return DaemonTrees!;
    }

    /// <summary>Only dkmsd's half, with <paramref name="frameworkConf"/> as its framework.conf: its batch's figures.</summary>
    public async Task<AutoinstallResult> DaemonOnlyAsync(string root, IReadOnlyList<CorpusModule> modules, string frameworkConf)
    {
        var a = new BenchTrees(Path.Combine(root, "dkmsd"));
        File.WriteAllText(a.FrameworkConf, frameworkConf);
        await CorpusSources.AddAsync(o, a, modules);
        var result = await DaemonBatchAsync(a, KernelHeaders.Kernel);
        DaemonTrees = a;
        return result with { DaemonInstalled = Installed(await StatusAsync(a)), Modules = [.. modules.Select(m => m.Ref)] };
    }

    private async Task<AutoinstallResult> DaemonBatchAsync(BenchTrees a, string kernel)
    {
        var cmd = Shield.Wrap(a.StateDir, a.InstallTree, [o.Dkmsd, "--socket", a.Socket, .. a.TreeArgs, "--no-dbus", "--workers", Workers.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await using var daemon = await DaemonHost.StartAsync(cmd, a.Socket, Path.Combine(a.Root, "run", "notify"));
        using var channel = DaemonHost.Channel(a.Socket);
        var client = new V1.Dkms.DkmsClient(channel);
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(40));
        using var watch = client.Watch(new V1.WatchRequest(), cancellationToken: cts.Token);
        await Task.Delay(500);

        long peakRss = 0;
        var sampling = true;
        var sampler = Task.Run(async () =>
        {
            while (Volatile.Read(ref sampling))
            {
                peakRss = Math.Max(peakRss, ProcStat.StatusKb(daemon.Pid));
                await Task.Delay(100);
            }
        });

        Console.WriteLine($"  dkmsd: headers of {kernel} appear...");
        var cpu0 = ProcStat.Cpu(daemon.Pid);
        var t0 = DateTime.UtcNow;
        a.LinkHeaders(kernel, KernelHeaders.Dir);
        DateTime settled = default;
        while (await watch.ResponseStream.MoveNext(cts.Token))
        {
            var e = watch.ResponseStream.Current;
            if (e.KindCase == V1.Event.KindOneofCase.KernelSettled && e.KernelSettled.Kernel.Kernel == kernel && e.Time.ToDateTime() >= t0)
            {
                settled = e.Time.ToDateTime();
                break;
            }
        }

        var observed = DateTime.UtcNow;
        var cpu = ProcStat.Cpu(daemon.Pid) - cpu0;
        Volatile.Write(ref sampling, false);
        await sampler;
        await cts.CancelAsync();

        var jobs = await JobsAsync(client, t0);
        var longest = jobs.Where(j => j.Phases.Count > 0).DefaultIfEmpty().MaxBy(j => j is null ? 0 : j.End - j.Start);
        var wall = (observed - t0).TotalSeconds;
        Console.WriteLine($"  dkmsd: settled after {wall:0.0} s, {cpu.Children:0.0} s build CPU, {jobs.Count} jobs");
        return new AutoinstallResult([], Workers, wall, cpu.Children, cpu.Own, 0, 0,
            longest is null ? 0 : longest.End - longest.Start, longest?.Label ?? "–",
            jobs.Count == 0 ? double.NaN : jobs.Min(j => j.Start),
            jobs.Count == 0 ? double.NaN : (settled - t0).TotalSeconds - jobs.Max(j => j.End),
            peakRss, 0, 0, false, jobs, o.Cores);
    }

    private static async Task<List<JobSpan>> JobsAsync(V1.Dkms.DkmsClient client, DateTime t0)
    {
        var jobs = new List<V1.Job>();
        var token = string.Empty;
        do
        {
            var page = await client.ListJobsAsync(new V1.ListJobsRequest { PageSize = 500, PageToken = token });
            jobs.AddRange(page.Jobs);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        double S(Google.Protobuf.WellKnownTypes.Timestamp? ts) => ts is null ? double.NaN : (ts.ToDateTime() - t0).TotalSeconds;
        return
        [
            .. jobs.Where(j => j.StartedAt is not null && j.FinishedAt is not null && j.CreatedAt.ToDateTime() >= t0.AddSeconds(-1))
                .OrderBy(j => j.StartedAt.ToDateTime())
                .Select(j => new JobSpan($"{j.Key.Module}/{j.Key.Version} {j.Action.ToString().Replace("Action", string.Empty, StringComparison.Ordinal).ToLowerInvariant()}",
                    j.State.ToString(), S(j.StartedAt), S(j.FinishedAt),
                    [.. j.Phases.Where(p => p.Name != "queued" && p.StartedAt is not null).Select(p => (p.Name, S(p.StartedAt), p.FinishedAt is null ? S(j.FinishedAt) : S(p.FinishedAt)))])),
        ];
    }

    private async Task<string> StatusAsync(BenchTrees t) =>
        (await Proc.RunAsync(o.Dkmsctl, ["--offline", .. t.TreeArgs, "status"])).Stdout;

    private static int Installed(string status) => status.Split('\n').Count(l => l.EndsWith(": installed", StringComparison.Ordinal));
}
