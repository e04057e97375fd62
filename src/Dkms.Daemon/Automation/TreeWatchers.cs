using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Automation;

/// <summary>
/// inotify watches (FileSystemWatcher), all non-recursive: the install tree (kernels appear and go), each kernel
/// directory (its <c>build</c>/<c>source</c> link, including dpkg's <c>build.dpkg-new</c> rename), and the source
/// tree (module sources appear). Events are only hints that nudge the <see cref="Reconciler"/>; an overflow or
/// error makes it rescan everything. One inotify instance per watcher, so a handful in all; a watch inotify refuses
/// (no instance or watch left) is a warning, and the reconciler then rescans every <see cref="DegradedRescan"/>.
/// </summary>
internal sealed class TreeWatchers(DaemonContext daemon, Reconciler reconciler, IOptions<DaemonOptions> options, TimeProvider time,
    ILogger<TreeWatchers> logger)
    : IHostedService, IDisposable
{
    /// <summary>How often the reconciler rescans while a watch is missing.</summary>
    public static readonly TimeSpan DegradedRescan = TimeSpan.FromSeconds(30);

    /// <summary>The names in a kernel directory that say its headers came or went (dpkg writes <c>.dpkg-new</c>, then renames).</summary>
    private static readonly HashSet<string> HeaderNames = new(StringComparer.Ordinal) { "build", "source", "build.dpkg-new", "source.dpkg-new" };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, FileSystemWatcher> _kernels = new(StringComparer.Ordinal);
    private readonly List<FileSystemWatcher> _roots = [];
    private ITimer? _rescans;

    /// <summary>Creates a watcher; tests replace it to simulate what inotify does under load.</summary>
    public Func<string, FileSystemWatcher> Factory { get; set; } = path => new FileSystemWatcher(path);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.NoAutomation)
        {
            return Task.CompletedTask;
        }

        var settings = daemon.Settings;
        Watch(settings.InstallTree, kernel: null, onKernelDir: true);
        Watch(settings.SourceTree, kernel: null, onKernelDir: false);
        foreach (var k in KernelTrees.List(settings.InstallTree))
        {
            WatchKernel(k);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var w in _roots.Concat(_kernels.Values))
            {
                w.Dispose();
            }

            _roots.Clear();
            _kernels.Clear();
            _rescans?.Dispose();
            _rescans = null;
        }
    }

    /// <summary>What the watchers do when inotify overflows or fails: a full rescan.</summary>
    public void OnError(string path, Exception e)
    {
        AutomationLog.WatchError(logger, path, e.Message);
        reconciler.Nudge("watcher overflow or error: full rescan");
        if (path == daemon.Settings.InstallTree)
        {
            // re-arm the kernel watches: an overflow may have hidden kernels that came or went
            foreach (var k in KernelTrees.List(path))
            {
                WatchKernel(k);
            }
        }
    }

    private void WatchKernel(string kernel)
    {
        lock (_gate)
        {
            if (_kernels.ContainsKey(kernel))
            {
                return;
            }
        }

        var w = Watch(Path.Combine(daemon.Settings.InstallTree, kernel), kernel, onKernelDir: false);
        if (w is not null)
        {
            lock (_gate)
            {
                _kernels[kernel] = w;
            }
        }
    }

    private FileSystemWatcher? Watch(string path, string? kernel, bool onKernelDir)
    {
        FileSystemWatcher w;
        try
        {
            w = Factory(path);
            w.IncludeSubdirectories = false;
            w.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName;
        }
        catch (ArgumentException e)
        {
            AutomationLog.CannotWatch(logger, path, e.Message); // a tree that does not exist (yet)
            return null;
        }

        void Changed(object? sender, FileSystemEventArgs e)
        {
            if (kernel is not null && !HeaderNames.Contains(e.Name ?? string.Empty)
                && !(e is RenamedEventArgs r && HeaderNames.Contains(r.OldName ?? string.Empty)))
            {
                return; // depmod's and installs' own files: only the headers links matter in a kernel directory
            }

            reconciler.Nudge($"{e.ChangeType} {e.FullPath}");
            if (onKernelDir && e.ChangeType is WatcherChangeTypes.Created or WatcherChangeTypes.Renamed && Directory.Exists(e.FullPath))
            {
                WatchKernel(Path.GetFileName(e.FullPath));
            }
            else if (onKernelDir && e.ChangeType == WatcherChangeTypes.Deleted)
            {
                StopKernel(Path.GetFileName(e.FullPath));
            }
        }

        w.Created += Changed;
        w.Deleted += Changed;
        w.Renamed += (s, e) => Changed(s, e);
        w.Error += (_, e) => OnError(path, e.GetException());
        try
        {
            w.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            AutomationLog.WatchLost(logger, path, e.Message, DegradedRescan);
            w.Dispose();
            Degrade();
            return null;
        }

        if (kernel is null)
        {
            lock (_gate)
            {
                _roots.Add(w);
            }
        }

        return w;
    }

    /// <summary>Without a watch, changes are only found by looking: periodic rescans until dkmsd restarts.</summary>
    private void Degrade()
    {
        lock (_gate)
        {
            _rescans ??= time.CreateTimer(_ => reconciler.Nudge("periodic rescan: a tree is not watched"), null, DegradedRescan, DegradedRescan);
        }
    }

    private void StopKernel(string kernel)
    {
        FileSystemWatcher? w;
        lock (_gate)
        {
            _kernels.Remove(kernel, out w);
        }

        w?.Dispose();
    }
}
