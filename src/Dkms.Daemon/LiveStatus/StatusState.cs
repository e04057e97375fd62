using System.Diagnostics;
using System.Threading.Channels;
using Dkms.Core.Actions;
using Dkms.Core.Output;
using Dkms.Core.Status;
using Dkms.Core.Tree;
using Dkms.Core.Validation;
using Dkms.Daemon.Events;
using Dkms.Daemon.Settings;

namespace Dkms.Daemon.LiveStatus;

/// <summary>
/// <c>dkms status</c> kept in memory: each module is computed by the engine (<see cref="DkmsEngine.ListVersions"/>,
/// <see cref="DkmsEngine.StatusAsync"/>) and computed again when inotify, the daemon's own events or a periodic rescan
/// say it may have changed. A status call never walks the disk for a module that nothing touched.
/// </summary>
/// <remarks>
/// The answer equals a fresh disk walk whenever the tree is quiet: a call first drains the inotify queue (every change
/// whose system call returned is queued there) and recomputes the modules it names. Without inotify, or for a module
/// whose watch was refused, the call recomputes from the disk, as before.
/// </remarks>
internal sealed partial class StatusState(DaemonContext daemon, EventBus bus, ILogger<StatusState> logger) : IHostedService, IDisposable
{
    /// <summary>How long the background refresh lets a burst of events settle (dpkg, make install) before recomputing.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);

    /// <summary>The periodic rescan while every watch holds: it only catches what inotify cannot see (a conf's own includes).</summary>
    public static readonly TimeSpan PeriodicRescan = TimeSpan.FromMinutes(10);

    /// <summary>The periodic rescan while a watch is missing.</summary>
    public static readonly TimeSpan DegradedRescan = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly SortedDictionary<string, IReadOnlyList<VersionStatus>> _modules = new(StringComparer.Ordinal);
    private long _generation; // only read and written under _refresh, as _modules
    private Task? _loop;
    private Subscription? _subscription;
    private int _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _inotify = Inotify.TryCreate(out var errno);
        if (_inotify is null)
        {
            // EMFILE: the user's inotify instances are used up (editors, file managers); status still answers, from the disk.
            LiveStatusLog.NoInotify(logger, $"inotify_init1: errno {errno}", DegradedRescan);
        }

        lock (_gate)
        {
            _fullRescan = true; // computed in the background, or by the first call, whichever comes first
        }

        if (_inotify is not null)
        {
            new Thread(ReadEvents) { IsBackground = true, Name = "dkmsd status inotify" }.Start();
        }

        var subscription = bus.Subscribe();
        _subscription = subscription;
        _ = FollowOwnEventsAsync(subscription.Reader, _stopping.Token);
        _loop = RefreshLoopAsync(_stopping.Token);
        _wake.Writer.TryWrite(true); // the first computation starts now, not with the first call
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // registered as a singleton and as a hosted service: the container disposes both
        }

        _stopping.Cancel();
        _subscription?.Dispose();
        _inotify?.Dispose(); // the reader thread sees the cancellation when its wait ends, and exits
        _refresh.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// The engine's <c>StatusAsync(module, version, kernels)</c>, from memory: modules with pending changes are
    /// recomputed first; with <paramref name="kernels"/> the listing repeats per kernel.
    /// </summary>
    public async Task<IReadOnlyList<StatusEntry>> StatusAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        CancellationToken ct) => (await SnapshotAsync(module, version, kernels, ct).ConfigureAwait(false)).Entries;

    /// <summary>
    /// <see cref="StatusAsync"/> with the generation it was read at: two snapshots of one generation are equal, so an
    /// answer made from the first may be given again (the state changes only when a refresh recomputes a module).
    /// </summary>
    public async Task<StatusSnapshot> SnapshotAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        CancellationToken ct)
    {
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RefreshLockedAsync(module, ct).ConfigureAwait(false);
            var result = new List<StatusEntry>();
            var filters = kernels is { Count: > 0 } ? kernels.Select(k => (KernelTarget?)k).ToList() : [null];
            foreach (var filter in filters)
            {
                foreach (var (m, versions) in _modules)
                {
                    if (module is not null && m != module)
                    {
                        continue;
                    }

                    foreach (var vs in versions)
                    {
                        if (version is null || vs.Version == version)
                        {
                            vs.AppendTo(result, filter);
                        }
                    }
                }
            }

            return new StatusSnapshot(_generation, result);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Recomputes what changed now (tests and the bench use it to wait for a quiet tree).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await RefreshLockedAsync(null, ct).ConfigureAwait(false);
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Drains inotify and recomputes every pending module (only <paramref name="scope"/> when degraded).</summary>
    private async Task RefreshLockedAsync(string? scope, CancellationToken ct)
    {
        List<string> pending;
        lock (_gate)
        {
            DrainLocked();
            if (_inotify is not null && _rootWatch < 0)
            {
                WatchRoot(daemon.Settings.DkmsTree); // the tree did not exist (yet), or was removed
                _fullRescan = true;
            }

            if (_inotify is null)
            {
                // No inotify: nothing tells us what changed, so the call reads its scope from the disk.
                if (scope is not null)
                {
                    _dirty.Add(scope);
                }
                else
                {
                    _fullRescan = true;
                }
            }

            _dirty.UnionWith(_unwatched);
            if (_fullRescan)
            {
                _fullRescan = false;
                _dirty.UnionWith(_modules.Keys);
                _dirty.UnionWith(ModuleNames(daemon.Settings.DkmsTree));
            }

            pending = [.. _dirty];
        }

        if (pending.Count == 0)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var engine = new DkmsEngine(daemon.Settings, DkmsOutput.Null, daemon.ConfCache);
        _generation++; // first: a recomputation that fails half-way has still changed the state
        foreach (var m in pending)
        {
            await RecomputeAsync(engine, m, ct).ConfigureAwait(false);
        }

        LiveStatusLog.Recomputed(logger, pending.Count, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Watches m's directories first, then lets the engine read them: a change in between is queued, not lost.</summary>
    private async Task RecomputeAsync(DkmsEngine engine, string m, CancellationToken ct)
    {
        lock (_gate)
        {
            _dirty.Remove(m);
            _unwatched.Remove(m);
            if (_inotify is not null)
            {
                WatchModule(engine.Tree, m);
            }
        }

        var versions = new List<VersionStatus>();
        foreach (var (_, v) in engine.ListVersions(m).ToList())
        {
            versions.Add(await ComputeAsync(engine, m, v, ct).ConfigureAwait(false));
        }

        // Only read and written under _refresh.
        if (versions.Count > 0)
        {
            _modules[m] = versions;
        }
        else
        {
            _modules.Remove(m);
        }
    }

    /// <summary>One version through the engine, once with every kernel directory as a filter (the listing repeats per kernel).</summary>
    private static async Task<VersionStatus> ComputeAsync(DkmsEngine engine, string m, string v, CancellationToken ct)
    {
        var names = Directory.Exists(engine.Tree.VersionDir(m, v))
            ? Directory.EnumerateDirectories(engine.Tree.VersionDir(m, v)).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        var kernels = names.Where(k => NameValidator.Problem(k) is null).ToList(); // a request can only name valid kernels
        var entries = await engine.StatusAsync(m, v, kernels.Count > 0 ? [.. kernels.Select(k => new KernelTarget(k, string.Empty))] : null, ct: ct)
            .ConfigureAwait(false);
        if (entries.Count > 0 && entries[0].State == ModuleState.Broken)
        {
            return new VersionStatus(m, v, entries[0], Added: false, new Dictionary<string, IReadOnlyList<StatusEntry>>(), []);
        }

        if (entries.Count == 0)
        {
            return new VersionStatus(m, v, null, Added: false, new Dictionary<string, IReadOnlyList<StatusEntry>>(), []);
        }

        var byKernel = new Dictionary<string, IReadOnlyList<StatusEntry>>(StringComparer.Ordinal);
        var i = 0;
        foreach (var k in kernels)
        {
            var list = new List<StatusEntry>();
            while (i < entries.Count && entries[i].Kernel == k)
            {
                list.Add(entries[i++]);
            }

            if (list.Count == 0)
            {
                i++; // the "added" line this kernel printed instead
            }

            byKernel[k] = list;
        }

        // The unfiltered listing is the kernel-like directories' entries in the same order, unless one of them is a
        // name no request could pass; then the engine lists it itself.
        IReadOnlyList<StatusEntry> unfiltered = names.Where(DkmsTree.LooksLikeKernel).All(byKernel.ContainsKey)
            ? [.. names.Where(DkmsTree.LooksLikeKernel).SelectMany(k => byKernel[k])]
            : [.. (await engine.StatusAsync(m, v, null, ct: ct).ConfigureAwait(false)).Where(e => e.Kernel is not null)];
        return new VersionStatus(m, v, null, Added: true, byKernel, unfiltered);
    }

    private static IEnumerable<string> ModuleNames(string dkmsTree) => Directory.Exists(dkmsTree)
        ? Directory.EnumerateDirectories(dkmsTree).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.'))
        : [];

    /// <summary>Recomputes in the background shortly after changes, and periodically.</summary>
    private async Task RefreshLoopAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            using var period = CancellationTokenSource.CreateLinkedTokenSource(ct);
            period.CancelAfter(_inotify is null || _unwatched.Count > 0 ? DegradedRescan : PeriodicRescan);
            try
            {
                await _wake.Reader.ReadAsync(period.Token).ConfigureAwait(false);
                await Task.Delay(Debounce, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                lock (_gate)
                {
                    _fullRescan = true;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await RefreshAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or Core.Errors.DkmsException or InvalidOperationException)
            {
                LiveStatusLog.RefreshFailed(logger, e);
                lock (_gate)
                {
                    _fullRescan = true;
                }
            }
        }
    }

    /// <summary>The daemon's own jobs: a module they touch is recomputed without waiting for inotify.</summary>
    private async Task FollowOwnEventsAsync(ChannelReader<Protocol.V1.Event> events, CancellationToken ct)
    {
        try
        {
            await foreach (var e in events.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (EventBus.ModuleOf(e) is { Length: > 0 } m)
                {
                    lock (_gate)
                    {
                        _dirty.Add(m);
                    }

                    _wake.Writer.TryWrite(true);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SubscriberOverflowException)
        {
            // stopping, or fell behind: inotify still sees the writes
        }
    }
}
