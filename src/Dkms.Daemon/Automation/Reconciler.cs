using System.Threading.Channels;
using Dkms.Core.Actions;
using Dkms.Core.Autoinstall;
using Dkms.Core.Commands;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Tree;
using Dkms.Core.Validation;
using Dkms.Core.Versioning;
using Dkms.Daemon.Events;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using Microsoft.Extensions.Options;
using KernelTarget = Dkms.Core.Actions.KernelTarget;
using ModuleRef = Dkms.Core.Actions.ModuleRef;

namespace Dkms.Daemon.Automation;

/// <summary>
/// Level-triggered: compares what should be (every added AUTOINSTALL module, newest version, installed on the
/// kernels autoinstall covers) with the trees, and queues what is missing. Watchers only nudge it; it also
/// runs at start-up (which replaces dkms's boot-time service), after watcher trouble, periodically and on
/// demand. It never queues work already queued or running, and does not retry a module that failed until
/// its inputs change.
/// </summary>
internal sealed class Reconciler(DaemonContext daemon, ActionRunner runner, KernelBatches batches, EventBus bus,
    IOptions<DaemonOptions> options, TimeProvider time, ILogger<Reconciler> logger) : BackgroundService
{
    /// <summary>Events closer together than this are one burst (a package unpacking).</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    /// <summary>A burst never delays the reconcile longer than this.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(3);

    /// <summary>How long a new source directory without dkms.conf is re-checked (a copy in progress).</summary>
    public static readonly TimeSpan SourceGrace = TimeSpan.FromMinutes(2);

    /// <summary>How often a held dpkg lock is looked at again.</summary>
    public static readonly TimeSpan DpkgPoll = TimeSpan.FromSeconds(1);

    private static readonly string[] HeaderLinks = ["build", "source"];

    private readonly Channel<string> _nudges = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<string> _knownKernels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _completeKernels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _detected = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _failures = new(StringComparer.Ordinal);
    private SeenSources? _seen;
    private bool _initialScan = true;
    private Task _dpkgWait = Task.CompletedTask;

    /// <summary>Asks for a reconcile soon (debounced).</summary>
    public void Nudge(string reason) => _nudges.Writer.TryWrite(reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.NoAutomation)
        {
            return;
        }

        var settings = daemon.Settings;
        _seen = new SeenSources(Path.Combine(settings.DkmsTree, ".dkmsd", "seen-sources"));
        _seen.Load();
        Nudge("start-up");
        var interval = options.Value.ReconcileInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var reason = await NextAsync(interval, stoppingToken).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            try
            {
                AutomationLog.Reconciling(logger, reason);
                await ReconcileAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AutomationLog.ReconcileFailed(logger, e);
            }
        }
    }

    /// <summary>The next nudge (then the rest of its burst), or the periodic tick; null when stopping.</summary>
    private async Task<string?> NextAsync(TimeSpan interval, CancellationToken ct)
    {
        using var periodic = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (interval > TimeSpan.Zero)
        {
            periodic.CancelAfter(interval);
        }

        string reason;
        try
        {
            reason = await _nudges.Reader.ReadAsync(periodic.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return "periodic";
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        var reasons = new SortedSet<string>(StringComparer.Ordinal) { reason };
        var deadline = time.GetUtcNow() + MaxDelay;
        while (time.GetUtcNow() < deadline)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
            quiet.CancelAfter(Quiet);
            try
            {
                reasons.Add(await _nudges.Reader.ReadAsync(quiet.Token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                break; // quiet: the burst is over
            }
        }

        return reasons.Count <= 3 ? string.Join(", ", reasons) : $"{string.Join(", ", reasons.Take(3))} and {reasons.Count - 3} more";
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        if (DpkgLock.IsHeld(options.Value.DpkgAdminDir))
        {
            // Packages are being unpacked and configured: their maintainer scripts add, build and remove modules
            // themselves, and the kernel hooks ask for what they need. Catch up once the package manager is done.
            if (_dpkgWait.IsCompleted)
            {
                AutomationLog.WaitingForDpkg(logger, options.Value.DpkgAdminDir);
                _dpkgWait = WaitForDpkgAsync(ct);
            }

            return;
        }

        var settings = daemon.Settings;
        var engine = new DkmsEngine(settings, DkmsOutput.Null, daemon.ConfCache);
        var arch = SystemInfo.MachineArch();

        var kernels = KernelTrees.List(settings.InstallTree);
        // A kernel whose directory went away is cleaned as dkms's prerm hook does. An install tree that is gone as
        // a whole (not mounted yet, being replaced) is not "every kernel removed": nothing is cleaned then.
        var treeThere = Directory.Exists(settings.InstallTree);
        var removed = treeThere ? _knownKernels.Where(k => !kernels.Contains(k)).ToList() : [];
        foreach (var k in removed)
        {
            _knownKernels.Remove(k);
            _completeKernels.Remove(k);
            _detected.Remove(k);
            AutomationLog.KernelRemoved(logger, k);
            bus.Publish(new Event { KernelRemoved = new KernelEvent { Kernel = ProtoMapping.ToProto(new KernelTarget(k, arch)) } });
            runner.Start(new KernelRemovalCommand(new TargetSpec(k, arch), OnlyAutoinstall: false, CommandOptions.Default), null);
        }

        _knownKernels.UnionWith(kernels);
        var complete = kernels.Where(k => KernelTrees.CompleteHeaders(settings.InstallTree, k) is not null).ToList();
        foreach (var k in complete.Where(k => !_completeKernels.Contains(k)))
        {
            _completeKernels.Add(k);
            var headers = KernelTrees.CompleteHeaders(settings.InstallTree, k)!;
            AutomationLog.KernelDetected(logger, k, headers);
            bus.Publish(new Event { KernelDetected = new KernelEvent { Kernel = ProtoMapping.ToProto(new KernelTarget(k, arch)), HeadersDir = headers } });
            if (!_initialScan)
            {
                _detected.Add(k); // headers that appeared while we watched: autoinstall, as dkms's kernel hook
            }
        }

        _completeKernels.IntersectWith(complete);
        if (kernels.Except(complete).Any(k => HasHeadersLink(settings.InstallTree, k)))
        {
            _ = RecheckLaterAsync(ct); // headers still being unpacked: look again shortly
        }

        await AddNewSourcesAsync(settings.SourceTree, ct).ConfigureAwait(false);

        // The kernels autoinstall covers: the running one and the newest, every kernel with
        // autoinstall_all_kernels, and those whose headers appeared while the daemon watched.
        var covered = new HashSet<string>(_detected, StringComparer.Ordinal);
        if (settings.AutoinstallAllKernels)
        {
            covered.UnionWith(complete);
        }
        else
        {
            covered.UnionWith(complete.Where(k => k == engine.RunningKernel));
            if (complete.Count > 0)
            {
                covered.Add(complete.Max(VersionOrder.Natural)!);
            }
        }

        foreach (var k in covered.Order(VersionOrder.Natural))
        {
            var t = new KernelTarget(k, arch);
            if (batches.IsActive(t))
            {
                continue; // never queue what is queued or running
            }

            AutoinstallPlan plan;
            try
            {
                plan = await engine.PlanAutoinstallAsync(t, Core.Actions.ActionOptions.Default, ct).ConfigureAwait(false);
            }
            catch (Core.Errors.DkmsException)
            {
                continue; // an unreadable dkms.conf: the periodic reconcile tries again, an explicit autoinstall reports it
            }

            var todo = plan.Queue.Where(q => !FailedBefore(q.Module, t)).ToList();
            if (todo.Count == 0)
            {
                if (_detected.Remove(k))
                {
                    bus.Publish(new Event { KernelSettled = new KernelEvent { Kernel = ProtoMapping.ToProto(t), AllSucceeded = true } });
                }

                continue;
            }

            batches.StartOrJoin(t, caller: null, options: null, skip: m => FailedBefore(m, t), settled: result => RememberFailures(result, t));
            _detected.Remove(k);
        }

        _initialScan = false;
    }

    /// <summary>
    /// Adds source directories that appeared since the daemon last decided about them.
    /// The first start on a tree only records what is there.
    /// </summary>
    private async Task AddNewSourcesAsync(string sourceTree, CancellationToken ct)
    {
        if (!Directory.Exists(sourceTree) || _seen is null)
        {
            return;
        }

        var dirs = Directory.EnumerateDirectories(sourceTree).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).ToList();
        if (!_seen.Exists)
        {
            _seen.Add(dirs);
            return;
        }

        var decided = new List<string>();
        var adds = new List<ActionRun>();
        var registered = RegisteredSources();
        foreach (var name in dirs.Where(n => !_seen.Contains(n)))
        {
            var dir = Path.Combine(sourceTree, name);
            if (registered.Contains(PathGuard.RealPath(dir)))
            {
                decided.Add(name); // added already (dkmsctl add copied it here)
                continue;
            }

            if (DpkgOwnership.AwaitsConfiguration(options.Value.DpkgAdminDir, dir))
            {
                continue; // unpacked by a package not configured yet: its postinst adds it (dpkg --configure -a)
            }

            if (!File.Exists(Path.Combine(dir, "dkms.conf")))
            {
                if (time.GetUtcNow() - Directory.GetLastWriteTimeUtc(dir) < SourceGrace)
                {
                    _ = RecheckLaterAsync(ct); // still being copied
                }
                else
                {
                    decided.Add(name); // not a dkms module
                }

                continue;
            }

            AutomationLog.SourceAppeared(logger, dir);
            adds.Add(runner.Start(new AddCommand(Module: null, SourceDir: dir, Archive: null, CommandOptions.Default), null));
            decided.Add(name);
        }

        _seen.Add(decided);
        foreach (var run in adds)
        {
            await run.Completion.WaitAsync(ct).ConfigureAwait(false);
        }

        if (adds.Count > 0)
        {
            MarkAddedAutomatically(adds.Select(r => PathGuard.RealPath(r.Request.Add.SourceDir)).ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>Lets a later <c>add</c> of the same trees (a postinst, a user) take them over instead of failing.</summary>
    private void MarkAddedAutomatically(HashSet<string> sources)
    {
        var engine = new DkmsEngine(daemon.Settings, DkmsOutput.Null, daemon.ConfCache);
        foreach (var mv in engine.ListVersions())
        {
            if (sources.Contains(PathGuard.RealPath(engine.Tree.SourceLink(mv.Module, mv.Version))))
            {
                engine.MarkAddedAutomatically(new ModuleRef(mv.Module, mv.Version));
            }
        }
    }

    /// <summary>Where the <c>source</c> links of every added module/version lead.</summary>
    private HashSet<string> RegisteredSources()
    {
        var state = new TreeState(new DkmsTree(daemon.Settings));
        return state.ListVersions().Select(mv => PathGuard.RealPath(state.Tree.SourceLink(mv.Module, mv.Version)))
            .ToHashSet(StringComparer.Ordinal);
    }

    private async Task WaitForDpkgAsync(CancellationToken ct)
    {
        try
        {
            while (DpkgLock.IsHeld(options.Value.DpkgAdminDir))
            {
                await Task.Delay(DpkgPoll, time, ct).ConfigureAwait(false);
            }

            Nudge("the package manager finished");
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task RecheckLaterAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            Nudge("a tree still being written");
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>A <c>build</c> or <c>source</c> link (or directory) exists, whatever its state, and is recent.</summary>
    private bool HasHeadersLink(string installTree, string kernel) => HeaderLinks
        .Select(n => new FileInfo(Path.Combine(installTree, kernel, n)))
        .Any(f => (f.LinkTarget is not null || Directory.Exists(f.FullName)) && time.GetUtcNow() - f.LastWriteTimeUtc < SourceGrace);

    /// <summary>A module that failed on a kernel is not retried on its own until its dkms.conf or the headers change.</summary>
    private bool FailedBefore(ModuleRef mv, KernelTarget t)
    {
        lock (_failures)
        {
            return _failures.TryGetValue($"{mv}/{t.Kernel}/{t.Arch}", out var stamp) && stamp == Inputs(mv, t);
        }
    }

    /// <summary>
    /// Every module the batch failed or blocked, not only those this reconcile saw: the batch plans when it starts, and a
    /// module added in between (the dkms tree is not watched) is in its plan too.
    /// </summary>
    private void RememberFailures(BatchResult result, KernelTarget t)
    {
        lock (_failures)
        {
            foreach (var mv in result.Failed.Concat(result.Deferred))
            {
                _failures[$"{mv}/{t.Kernel}/{t.Arch}"] = Inputs(mv, t);
            }
        }
    }

    private string Inputs(ModuleRef mv, KernelTarget t)
    {
        var settings = daemon.Settings;
        var conf = Path.Combine(settings.SourceTree, $"{mv.Module}-{mv.Version}", "dkms.conf");
        var headers = KernelTrees.CompleteHeaders(settings.InstallTree, t.Kernel);
        var stamp = $"{Stamp(conf)}|{Stamp(headers is null ? null : Path.Combine(headers, ".config"))}";
        if (settings.Profile.DeferredBuildDepends)
        {
            // 3.4 defers a module whose BUILD_DEPENDS is not registered yet: it is tried again once the modules
            // registered change (the dependency appeared).
            IEnumerable<string?> registered = Directory.Exists(settings.DkmsTree)
                ? Directory.EnumerateDirectories(settings.DkmsTree).Select(Path.GetFileName).Order(StringComparer.Ordinal)
                : [];
            stamp += "|" + string.Join(' ', registered);
        }

        return stamp;
    }

    private static string Stamp(string? file) => file is not null && File.Exists(file) ? File.GetLastWriteTimeUtc(file).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
}
