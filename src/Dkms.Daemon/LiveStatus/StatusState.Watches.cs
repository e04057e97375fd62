using Dkms.Core.Conf;
using Dkms.Core.Kernels;
using Dkms.Core.Tree;
using Dkms.Core.Validation;

namespace Dkms.Daemon.LiveStatus;

/// <summary>The inotify side of <see cref="StatusState"/>: which directories each module depends on, and what an event dirties.</summary>
internal sealed partial class StatusState
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;
    private const int ReaderPollMs = 5000;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unwatched = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Watch> _watches = [];
    private readonly Dictionary<string, HashSet<int>> _moduleWatches = new(StringComparer.Ordinal);
    private readonly List<InotifyEvent> _events = [];
    private Inotify? _inotify;
    private bool _fullRescan;
    private int _rootWatch = -1;

    /// <summary>
    /// Everything m's status lines are made of: the module directory (versions, <c>kernel-*</c> links,
    /// <c>original_module</c>), each version's kernel, arch and <c>module/</c> directories, its source directory (and
    /// the entry for it in its parent), and the installed files' directory of each built kernel, from the install
    /// tree down (only the names on the way, and at the end the module's own file names, dirty it).
    /// </summary>
    /// <remarks>
    /// The installed files are watched where the distribution puts them (<see cref="DkmsConfReader.DestinationOverride"/>,
    /// <c>/updates/dkms</c> on Debian); a conf's own DEST_MODULE_LOCATION elsewhere is caught by the periodic rescan.
    /// </remarks>
    private void WatchModule(DkmsTree tree, string m)
    {
        var old = _moduleWatches.Remove(m, out var set) ? set : [];
        foreach (var wd in old)
        {
            if (_watches.TryGetValue(wd, out var w))
            {
                w.Modules.Remove(m);
            }
        }

        var now = _moduleWatches[m] = [];
        var moduleDir = tree.ModuleDir(m);
        Subscribe(moduleDir, m, null);
        var originals = Path.Combine(moduleDir, "original_module");
        Subscribe(originals, m, null);
        foreach (var k in Directories(originals))
        {
            Subscribe(Path.Combine(originals, k), m, null);
        }

        var distributionDest = DkmsConfReader.DestinationOverride(tree.Settings.Distribution, tree.Settings.AddonModulesDir);
        foreach (var v in Directories(moduleDir).Where(v => !v.StartsWith('.') && v != "original_module" && !(v.StartsWith("kernel-", StringComparison.Ordinal) && v.IndexOf('-', 7) > 0)))
        {
            var versionDir = Path.Combine(moduleDir, v);
            Subscribe(versionDir, m, null);
            WatchSource(tree.SourceLink(m, v), m);
            foreach (var k in Directories(versionDir).Where(k => k is not "build" and not "source"))
            {
                Subscribe(Path.Combine(versionDir, k), m, null);
                foreach (var a in Directories(Path.Combine(versionDir, k)).Where(a => !a.StartsWith('.')))
                {
                    var builtModules = tree.BuiltModuleDir(m, v, k, a);
                    Subscribe(tree.BuiltDir(m, v, k, a), m, null);
                    Subscribe(builtModules, m, null);
                    if (!Directory.Exists(builtModules))
                    {
                        continue;
                    }

                    WatchConfInputs(tree, m, v, k, a);
                    if (distributionDest is not null)
                    {
                        var stems = Directory.EnumerateFiles(builtModules).Select(f => ModuleStem(Path.GetFileName(f))).ToHashSet(StringComparer.Ordinal);
                        WatchChain(tree.Settings.InstallTree, Path.Combine(k, distributionDest.Trim('/')), m, stems);
                    }
                }
            }
        }

        foreach (var wd in old.Where(wd => !now.Contains(wd)))
        {
            if (_watches.TryGetValue(wd, out var w) && w.Modules.Count == 0 && wd != _rootWatch)
            {
                _inotify!.Remove(wd);
                _watches.Remove(wd);
            }
        }
    }

    /// <summary>
    /// What the evaluation of a built k/a's dkms.conf reads besides the conf (the engine's conf cache keys on them):
    /// the override files of the config directory, the kernel's configuration, and the headers links that lead to it.
    /// </summary>
    private void WatchConfInputs(DkmsTree tree, string m, string v, string k, string a)
    {
        var kernel = KernelInfo.Resolve(tree.Settings, k, a);
        var ctx = new ConfContext
        {
            Settings = tree.Settings,
            Kernel = k,
            Arch = a,
            KernelSourceDir = kernel.SourceDir,
            KernelConfig = kernel.ConfigPath,
            Module = m,
            ModuleVersion = v,
        };
        foreach (var file in DkmsConfReader.Files(Path.Combine(tree.SourceLink(m, v), "dkms.conf"), ctx).Skip(1).Append(kernel.ConfigPath))
        {
            if (Path.GetDirectoryName(file) is { } dir)
            {
                Subscribe(dir, m, new NameFilter([Path.GetFileName(file)], []));
            }
        }

        Subscribe(tree.InstallKernelDir(k), m, new NameFilter(["build", "source"], []));
    }

    /// <summary>The source directory behind <c>source</c> (even while it is gone: its name in the parent brings it back).</summary>
    private void WatchSource(string link, string m)
    {
        string target;
        try
        {
            var info = new FileInfo(link);
            target = info.LinkTarget is { } t ? Path.GetFullPath(t, Path.GetDirectoryName(link)!) : link;
            target = Directory.Exists(target) ? PathGuard.RealPath(target) : target;
        }
        catch (IOException)
        {
            return;
        }

        if (Path.GetDirectoryName(target) is { } parent)
        {
            Subscribe(parent, m, new NameFilter([Path.GetFileName(target)], []));
        }

        Subscribe(target, m, null);
    }

    /// <summary>Each existing directory from <paramref name="root"/> down <paramref name="relative"/>, dirtied only by the next name.</summary>
    private void WatchChain(string root, string relative, string m, HashSet<string> leafStems)
    {
        var dir = root;
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i <= parts.Length; i++)
        {
            var filter = i < parts.Length ? new NameFilter([parts[i]], []) : new NameFilter([], leafStems);
            if (!Subscribe(dir, m, filter) || i == parts.Length)
            {
                return;
            }

            dir = Path.Combine(dir, parts[i]);
        }
    }

    private void WatchRoot(string dkmsTree)
    {
        var wd = _inotify!.Add(dkmsTree, Inotify.DirectoryChanges);
        if (wd >= 0)
        {
            _rootWatch = wd;
            _watches[wd] = new Watch(dkmsTree);
        }
        else if (wd != -ENOENT)
        {
            _inotify.Dispose();
            _inotify = null; // not even the root: degrade to reading the disk per call
            LiveStatusLog.NoInotify(logger, $"{dkmsTree}: errno {-wd}", DegradedRescan);
        }
    }

    /// <summary>Adds m to the watch of <paramref name="path"/>; false when the directory is not there.</summary>
    private bool Subscribe(string path, string m, NameFilter? filter)
    {
        var wd = _inotify!.Add(path, Inotify.DirectoryChanges);
        if (wd < 0)
        {
            if (wd is not -ENOENT and not -ENOTDIR && _unwatched.Add(m))
            {
                // ENOSPC (max_user_watches) and the like: this module is read from the disk until a rescan watches it.
                LiveStatusLog.WatchLost(logger, path, $"errno {-wd}", m, DegradedRescan);
                _wake.Writer.TryWrite(true);
            }

            return false;
        }

        if (!_watches.TryGetValue(wd, out var w))
        {
            _watches[wd] = w = new Watch(path);
        }

        w.Modules[m] = w.Modules.TryGetValue(m, out var had) ? NameFilter.Union(had, filter) : filter;
        _moduleWatches[m].Add(wd);
        return true;
    }

    /// <summary>Reads the queued events and marks what they touch (under the gate).</summary>
    private void DrainLocked()
    {
        if (_inotify is null || _inotify.Drain(_events) == 0)
        {
            return;
        }

        foreach (var e in _events)
        {
            if ((e.Mask & Inotify.Overflow) != 0)
            {
                LiveStatusLog.Overflowed(logger);
                _fullRescan = true;
                continue;
            }

            if (!_watches.TryGetValue(e.Watch, out var w))
            {
                continue;
            }

            if ((e.Mask & Inotify.Ignored) != 0)
            {
                if (e.Watch == _rootWatch)
                {
                    _rootWatch = -1;
                    _fullRescan = true;
                }

                _watches.Remove(e.Watch); // the directory is gone: whoever depended on it looks again
                _dirty.UnionWith(w.Modules.Keys);
                continue;
            }

            if (e.Watch == _rootWatch && e.Name.Length > 0 && !e.Name.StartsWith('.'))
            {
                _dirty.Add(e.Name);
            }

            foreach (var (m, filter) in w.Modules)
            {
                if (filter is null || e.Name.Length == 0 || filter.Matches(e.Name))
                {
                    _dirty.Add(m);
                }
            }
        }

        _events.Clear();
    }

    /// <summary>
    /// The reader thread: waits on inotify, marks, and wakes the background refresh. Its wait only bounds how long the
    /// thread outlives <see cref="Dispose"/> (nobody joins it): a long one keeps an idle daemon from waking up.
    /// </summary>
    private void ReadEvents()
    {
        while (!_stopping.IsCancellationRequested)
        {
            if (_inotify is not { } inotify)
            {
                return; // given up (not even the root could be watched): calls read the disk
            }

            if (!inotify.Wait(ReaderPollMs))
            {
                continue;
            }

            lock (_gate)
            {
                DrainLocked();
            }

            _wake.Writer.TryWrite(true);
        }
    }

    private static IEnumerable<string> Directories(string dir)
    {
        try
        {
            return Directory.Exists(dir) ? [.. Directory.EnumerateDirectories(dir).Select(Path.GetFileName).OfType<string>()] : [];
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary><c>name.ko.xz</c> → <c>name</c>: the installed file of a built one may be compressed differently.</summary>
    private static string ModuleStem(string file) => file.IndexOf(".ko", StringComparison.Ordinal) is var i and > 0 ? file[..i] : file;

    private sealed class Watch(string path)
    {
        public string Path { get; } = path;

        /// <summary>The modules this directory dirties, each with the names that matter to it (null: any).</summary>
        public Dictionary<string, NameFilter?> Modules { get; } = new(StringComparer.Ordinal);
    }

    private sealed record NameFilter(HashSet<string> Names, HashSet<string> Stems)
    {
        public bool Matches(string name) => Names.Contains(name) || Stems.Contains(ModuleStem(name));

        public static NameFilter? Union(NameFilter? a, NameFilter? b) =>
            a is null || b is null ? null : new NameFilter([.. a.Names, .. b.Names], [.. a.Stems, .. b.Stems]);
    }
}
