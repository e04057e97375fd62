using Dkms.Core.Conf;
using Dkms.Core.Configuration;
using Dkms.Core.Errors;
using Dkms.Core.Kernels;
using Dkms.Core.Output;
using Dkms.Core.Platform;
using Dkms.Core.Tree;

namespace Dkms.Core.Actions;

/// <summary>
/// Every dkms action on one set of trees. Hosts (dkmsctl in-process, dkmsd) create one per request
/// or share one; all state lives on disk, guarded by per-module locks.
/// </summary>
public sealed partial class DkmsEngine
{
    /// <summary>dkmsd's own version (dkmsctl's <c>-V</c>, GetInfo, D-Bus).</summary>
    public const string ToolVersion = "dkmsd-0.1.0";

    /// <summary>
    /// The dkms release whose behaviour and output the engine reproduces: what <c>dkms -V</c> prints, and so
    /// what make.log headers name (upstream's tests expect <c>DKMS ($(dkms --version)) make.log …</c>).
    /// </summary>
    public const string CompatibleDkmsVersion = "dkms-3.0.10";

    private readonly DkmsOutput _out;
    private readonly HashSet<string> _preparedKernels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedConfs = new(StringComparer.Ordinal);

    public DkmsEngine(DkmsSettings settings, DkmsOutput output, ConfCache? confCache = null)
    {
        ConfCache = confCache ?? new ConfCache();
        Settings = settings;
        Tree = new DkmsTree(settings);
        _out = output;
        RunningKernel = SystemInfo.RunningKernel();
    }

    public DkmsSettings Settings { get; }

    public DkmsTree Tree { get; }

    /// <summary>Evaluated dkms.conf files; a host that outlives one request passes one cache to every engine.</summary>
    public ConfCache ConfCache { get; }

    /// <summary>Where the engine prints dkms's messages.</summary>
    public DkmsOutput Output => _out;

    /// <summary>The words the engine prints (its output's catalogue).</summary>
    private DkmsMessages M => _out.Messages;

    /// <summary>Told of each unit of work and its phases (dkmsd's jobs); null in-process.</summary>
    public IEngineObserver? Observer { get; init; }

    /// <summary>The kernel actions default to (<c>uname -r</c>).</summary>
    public string RunningKernel { get; init; }

    /// <summary>True when m/v has a <c>source</c> link (or, as 3.0.10, a directory) that leads to a directory.</summary>
    public bool IsAdded(string m, string v) => Directory.Exists(Tree.SourceLink(m, v));

    /// <summary>Upstream's broken state: the version directory exists but its source is gone.</summary>
    public bool IsBroken(string m, string v)
    {
        var versionDir = Tree.VersionDir(m, v);
        if (!Directory.Exists(versionDir) || IsAdded(m, v))
        {
            return false;
        }

        var link = new FileInfo(Tree.SourceLink(m, v));
        return link.LinkTarget is not null || Directory.Exists(Tree.SourceDir(m, v));
    }

    /// <summary>True when <c>module/</c> of k/a exists (the build was published).</summary>
    public bool IsBuiltDir(string m, string v, string k, string a) => Directory.Exists(Tree.BuiltModuleDir(m, v, k, a));

    /// <summary>True when <c>kernel-k-a</c> resolves to this version's k/a build.</summary>
    public bool IsInstalled(string m, string v, string k, string a)
    {
        var link = Tree.InstalledLink(m, k, a);
        if (new FileInfo(link).LinkTarget is null)
        {
            return false;
        }

        var target = Validation.PathGuard.RealPath(link);
        return target == Validation.PathGuard.RealPath(Tree.BuiltDir(m, v, k, a)) && IsBuiltDir(m, v, k, a);
    }

    internal KernelInfo Kernel(KernelTarget target, ActionOptions options) =>
        KernelInfo.Resolve(Settings, target.Kernel, target.Arch, options.KernelSourceDir, options.KernelConfig);

    /// <summary>Reads m/v's dkms.conf (or <c>-c</c>) for a kernel; strict reads print dkms's warnings.</summary>
    internal async Task<DkmsConf> ReadConfAsync(ModuleRef? mv, KernelTarget target, ActionOptions options, bool strict,
        CancellationToken ct, string? confPath = null)
    {
        var kernel = Kernel(target, options);
        var path = confPath ?? options.ConfFile ?? Path.Combine(Tree.SourceLink(mv!.Module, mv.Version), "dkms.conf");
        var ctx = new ConfContext
        {
            Settings = Settings,
            Kernel = target.Kernel,
            Arch = target.Arch,
            KernelSourceDir = kernel.SourceDir,
            KernelConfig = kernel.ConfigPath,
            Module = mv?.Module ?? string.Empty,
            ModuleVersion = mv?.Version ?? string.Empty,
            Directives = options.Directives,
            RunningKernel = RunningKernel,
        };
        var conf = await ConfCache.GetOrReadAsync(path, ctx, strict, () => DkmsConfReader.ReadAsync(path, ctx, strict, ct)).ConfigureAwait(false);
        if (strict)
        {
            // dkms caches a read per module/version/kernel/arch and conf, so its warnings print once per process.
            bool first;
            lock (_reportedConfs)
            {
                first = _reportedConfs.Add($"{ctx.Module}/{ctx.ModuleVersion}/{ctx.Kernel}/{ctx.Arch}/{Validation.PathGuard.RealPath(path)}");
            }

            if (first || !conf.IsValid)
            {
                ReportConf(conf);
            }

            DkmsConfReader.RequireValid(conf);
        }

        return conf;
    }

    /// <summary>Prints what dkms prints while reading a conf strictly: its stderr, errors, deprecations.</summary>
    internal void ReportConf(DkmsConf conf)
    {
        foreach (var line in conf.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            _out.ErrLine(line);
        }

        foreach (var e in conf.Errors)
        {
            _out.ErrLine(e);
        }

        if (conf.IsValid)
        {
            foreach (var d in conf.Deprecations)
            {
                _out.Deprecated(d);
            }

            if (conf.Modules.Count == 0)
            {
                _out.ErrLine(M.ZeroModules);
            }
        }
    }

    /// <summary>Takes the per-module lock (every version of a module installs to the same files).</summary>
    internal Task<ModuleLock> LockAsync(string module, CancellationToken ct) =>
        ModuleLock.AcquireAsync(Tree.LockDir, module,
            () => _out.ErrLine(M.WaitingForLock(module)), ct);

    /// <summary>dkms's "not located in the DKMS tree" check (exit 3) after the broken check (exit 4).</summary>
    public void RequireAdded(ModuleRef mv)
    {
        RequireNotBroken(mv);
        if (!IsAdded(mv.Module, mv.Version))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, 3, M.NotInTree(mv));
        }
    }

    /// <summary>Refuses (exit 4) to act on a broken module.</summary>
    public void RequireNotBroken(ModuleRef mv)
    {
        if (IsBroken(mv.Module, mv.Version))
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, 4, M.Broken(mv));
        }
    }

    /// <summary>Kernels m/v is built for (<c>--all</c>), in <c>sort -V</c> order.</summary>
    public IReadOnlyList<KernelTarget> BuiltTargets(ModuleRef mv)
    {
        var list = new List<KernelTarget>();
        var versionDir = Tree.VersionDir(mv.Module, mv.Version);
        if (!Directory.Exists(versionDir))
        {
            return list;
        }

        foreach (var kdir in Directory.EnumerateDirectories(versionDir))
        {
            var k = Path.GetFileName(kdir);
            if (!DkmsTree.LooksLikeKernel(k))
            {
                continue;
            }

            foreach (var adir in Directory.EnumerateDirectories(kdir))
            {
                var a = Path.GetFileName(adir);
                if (!a.StartsWith('.') && Directory.Exists(Path.Combine(adir, "module")))
                {
                    list.Add(new KernelTarget(k, a));
                }
            }
        }

        return list.OrderBy(t => $"{t.Kernel}/{t.Arch}", Versioning.VersionOrder.Natural).ToList();
    }

    /// <summary>Runs <paramref name="action"/> for each kernel; a failure is reported and the rest go on.</summary>
    /// <returns>The first non-zero exit code (dkms returns the last kernel's only; fixed).</returns>
    internal async Task<int> ForEachKernelAsync(IReadOnlyList<KernelTarget> targets, Func<KernelTarget, Task<int>> action)
    {
        var result = 0;
        foreach (var target in targets)
        {
            int code;
            try
            {
                code = await action(target).ConfigureAwait(false);
            }
            catch (DkmsException e)
            {
                Report(e);
                code = e.ExitCode;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                _out.Error(M.KernelFailure(target, e.Message));
                code = 1;
            }

            if (result == 0 && code != 0)
            {
                result = code;
            }
        }

        return result;
    }

    /// <summary><see cref="ForEachKernelAsync"/> with the module lock taken for each kernel (others may go between).</summary>
    internal Task<int> ForEachKernelLockedAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, Func<KernelTarget, Task<int>> action,
        CancellationToken ct) =>
        ForEachKernelAsync(targets, async t =>
        {
            await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
            {
                return await ObservedUnitAsync(mv, t, () => action(t)).ConfigureAwait(false);
            }
        });

    /// <summary>Runs one unit of work between <see cref="IEngineObserver.UnitStarted"/> and <see cref="IEngineObserver.UnitFinished"/>.</summary>
    internal async Task<int> ObservedUnitAsync(ModuleRef mv, KernelTarget t, Func<Task<int>> unit)
    {
        if (Observer is not { } observer)
        {
            return await unit().ConfigureAwait(false);
        }

        observer.UnitStarted(mv, t);
        var code = 1;
        try
        {
            code = await unit().ConfigureAwait(false);
            return code;
        }
        catch (DkmsException e)
        {
            // Printed inside the unit, so the host sees the message as the unit's own.
            Report(e);
            e.AlreadyReported = true;
            code = e.ExitCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = 130;
            throw;
        }
        finally
        {
            observer.UnitFinished(mv, t, code);
        }
    }

    /// <summary><see cref="ObservedUnitAsync(ModuleRef, KernelTarget, Func{Task{int}})"/> for steps without an exit code.</summary>
    internal Task ObservedUnitAsync(ModuleRef mv, KernelTarget t, Func<Task> unit) =>
        ObservedUnitAsync(mv, t, async () =>
        {
            await unit().ConfigureAwait(false);
            return 0;
        });

    /// <summary>Tells the observer a phase of the current unit begins.</summary>
    private void Phase(string name, string? logFile = null) => Observer?.Phase(name, logFile);

    /// <summary>Prints a failure the way dkms's <c>die</c>/<c>diewarn</c> would.</summary>
    public void Report(DkmsException e)
    {
        if (e.AlreadyReported)
        {
            return;
        }

        if (e.IsWarning)
        {
            _out.Warn([.. e.Lines]);
        }
        else
        {
            _out.Error(e.Lines);
        }
    }
}
