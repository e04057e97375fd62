using Dkms.Core.Conf;
using Dkms.Core.Framework;
using Dkms.Core.Errors;
using Dkms.Core.Kernels;
using Dkms.Core.Output;
using Dkms.Core.Tree;

namespace Dkms.Core.Actions;

/// <summary>
/// Every dkms action on one set of trees. Hosts (dkmsctl in-process, dkmsd) create one per request
/// or share one; all state lives on disk, guarded by per-module locks.
/// </summary>
/// <remarks>
/// The actions only: what they share (tree state, conf reads, processes, signing, publishing, originals, depmod)
/// are the services of <see cref="EngineContext"/>, one partial per action family.
/// </remarks>
public sealed partial class DkmsEngine
{
    /// <summary>dkmsd's own version (dkmsctl's <c>-V</c>, GetInfo, D-Bus).</summary>
    public const string ToolVersion = "dkmsd-0.1.0";

    /// <summary>The 3.0 profile's <c>dkms -V</c> (the default profile); a host's own is its settings' profile's.</summary>
    public const string CompatibleDkmsVersion = "dkms-3.0.10";

    private readonly EngineContext _ctx;
    private readonly DkmsOutput _out;

    public DkmsEngine(DkmsSettings settings, DkmsOutput output, ConfCache? confCache = null)
        : this(new EngineContext(settings, output, confCache))
    {
    }

    public DkmsEngine(EngineContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _ctx = context;
        _out = context.Output;
    }

    /// <summary>The services this engine's actions use.</summary>
    public EngineContext Context => _ctx;

    public DkmsSettings Settings => _ctx.Settings;

    public DkmsTree Tree => _ctx.Tree;

    /// <summary>Evaluated dkms.conf files; a host that outlives one request passes one cache to every engine.</summary>
    public ConfCache ConfCache => _ctx.ConfCache;

    /// <summary>Where the engine prints dkms's messages.</summary>
    public DkmsOutput Output => _out;

    /// <summary>The words the engine prints (its output's catalogue).</summary>
    private DkmsMessages M => _out.Messages;

    private TreeState State => _ctx.State;

    /// <summary>Told of each unit of work and its phases (dkmsd's jobs); null in-process.</summary>
    public IEngineObserver? Observer { get; init; }

    /// <summary>The kernel actions default to (<c>uname -r</c>).</summary>
    public string RunningKernel => _ctx.Facts.RunningKernel;

    /// <inheritdoc cref="TreeState.IsAdded"/>
    public bool IsAdded(string m, string v) => State.IsAdded(m, v);

    /// <inheritdoc cref="TreeState.IsBroken"/>
    public bool IsBroken(string m, string v) => State.IsBroken(m, v);

    /// <inheritdoc cref="TreeState.IsBuilt"/>
    public bool IsBuiltDir(string m, string v, string k, string a) => State.IsBuilt(m, v, k, a);

    /// <inheritdoc cref="TreeState.IsInstalled"/>
    public bool IsInstalled(string m, string v, string k, string a) => State.IsInstalled(m, v, k, a);

    /// <inheritdoc cref="TreeState.BuiltTargets"/>
    public IReadOnlyList<KernelTarget> BuiltTargets(ModuleRef mv) => State.BuiltTargets(mv);

    /// <inheritdoc cref="TreeState.ListVersions"/>
    public IEnumerable<(string Module, string Version)> ListVersions(string? module = null, string? version = null) =>
        State.ListVersions(module, version);

    private KernelInfo Kernel(KernelTarget target, ActionOptions options) => KernelInfo.Resolve(Settings, target, options);

    /// <summary>The target dkms reads a conf for when no kernel is named (add, ldtarball): the running kernel, this machine's arch.</summary>
    private KernelTarget RunningTarget => new(RunningKernel, _ctx.Facts.MachineArch);

    private Task<DkmsConf> ReadConfAsync(ModuleRef? mv, KernelTarget target, ActionOptions options, bool strict, CancellationToken ct,
        string? confPath = null) =>
        _ctx.Confs.ReadAsync(mv, target, options, strict, ct, confPath);

    /// <summary>Takes the per-module lock (every version of a module installs to the same files).</summary>
    private Task<ModuleLock> LockAsync(string module, CancellationToken ct) =>
        ModuleLock.AcquireAsync(Tree.LockDir, module,
            () => _out.ErrLine(M.WaitingForLock(module)), ct);

    /// <summary>dkms's "not located in the DKMS tree" check (exit 3) after the broken check (exit 4).</summary>
    public void RequireAdded(ModuleRef mv)
    {
        RequireNotBroken(mv);
        if (!IsAdded(mv.Module, mv.Version))
        {
            throw new DkmsException(DkmsErrorKind.NotFound, DkmsExitCode.NotInTree, M.NotInTree(mv));
        }
    }

    /// <summary>Refuses (exit 4) to act on a broken module.</summary>
    public void RequireNotBroken(ModuleRef mv)
    {
        if (IsBroken(mv.Module, mv.Version))
        {
            throw new DkmsException(DkmsErrorKind.FailedPrecondition, DkmsExitCode.Broken, M.Broken(mv));
        }
    }

    /// <summary>Runs <paramref name="action"/> for each kernel; a failure is reported and the rest go on.</summary>
    /// <returns>The first non-zero exit code (dkms returns the last kernel's only; fixed).</returns>
    private async Task<int> ForEachKernelAsync(IReadOnlyList<KernelTarget> targets, Func<KernelTarget, Task<int>> action)
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
                code = DkmsExitCode.Failure;
            }

            if (result == 0 && code != 0)
            {
                result = code;
            }
        }

        return result;
    }

    /// <summary><see cref="ForEachKernelAsync"/> taking the module lock for each kernel (others may go between).</summary>
    private Task<int> ForEachKernelLockingAsync(ModuleRef mv, IReadOnlyList<KernelTarget> targets, Func<KernelTarget, Task<int>> action,
        CancellationToken ct) =>
        ForEachKernelAsync(targets, async t =>
        {
            await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
            {
                return await ObservedUnitAsync(mv, t, () => action(t)).ConfigureAwait(false);
            }
        });

    /// <summary>Runs one unit of work between <see cref="IEngineObserver.UnitStarted"/> and <see cref="IEngineObserver.UnitFinished"/>.</summary>
    private async Task<int> ObservedUnitAsync(ModuleRef mv, KernelTarget t, Func<Task<int>> unit)
    {
        if (Observer is not { } observer)
        {
            return await unit().ConfigureAwait(false);
        }

        observer.UnitStarted(mv, t);
        var code = DkmsExitCode.Failure;
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
            code = DkmsExitCode.Cancelled;
            throw;
        }
        finally
        {
            observer.UnitFinished(mv, t, code);
        }
    }

    /// <summary><see cref="ObservedUnitAsync(ModuleRef, KernelTarget, Func{Task{int}})"/> for steps without an exit code.</summary>
    private Task<int> ObservedUnitAsync(ModuleRef mv, KernelTarget t, Func<Task> unit) =>
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
