using Dkms.Core.Autoinstall;
using Dkms.Core.Errors;
using Dkms.Core.Install;
using Dkms.Core.Output;
using Dkms.Core.Processes;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>autoinstall -k K</c>: installs the newest version of every AUTOINSTALL module that is not
    /// installed on K, dependencies first (BUILD_DEPENDS); one failure does not stop the others. The
    /// <see cref="AutoinstallRun"/> with this engine's installs inline, one at a time.
    /// </summary>
    /// <returns>0, 21 (no headers for a module that needs building) or 11 (some failed or were unresolved).</returns>
    public Task<int> AutoinstallAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default) =>
        new AutoinstallRun(this, t, options).RunAsync((unit, c) => AutoinstallUnitAsync(unit.Module, t, options, c), parallelism: 1, ct);

    /// <summary>One module of an in-process autoinstall, under its lock; the run does the kernel's depmod once.</summary>
    private async Task<UnitOutcome> AutoinstallUnitAsync(ModuleRef mv, KernelTarget t, ActionOptions options, CancellationToken ct)
    {
        try
        {
            await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
            {
                return new UnitOutcome(await ObservedUnitAsync(mv, t, () => InstallWithLockHeldAsync(mv, t, options with { NoDepmod = true }, ct))
                    .ConfigureAwait(false));
            }
        }
        catch (DkmsException e)
        {
            Report(e);
            return new UnitOutcome(e.ExitCode);
        }
    }

    /// <summary>
    /// dkms's closing lines of autoinstall: its summary of what succeeded (already installed included), was skipped and
    /// failed (as <c>module(code)</c>), the modules that waited for missing dependencies; exit 11 (thrown) when anything
    /// failed or waited.
    /// </summary>
    public void ReportAutoinstall(KernelTarget t, IReadOnlyCollection<string> installed, IReadOnlyCollection<string> skipped,
        IReadOnlyCollection<string> failed, IReadOnlyCollection<(ModuleRef Module, IEnumerable<string> Missing)> pending)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(pending);
        M.AutoinstallSummary(_out, t.Kernel, installed, skipped, failed);
        var unresolved = 0;
        var deferred = new List<ModuleRef>();
        var known = RegisteredModules();
        foreach (var (mv, missing) in pending)
        {
            var list = missing.ToList();
            if (Defers(list, known))
            {
                _out.Line(M.DeferredDependencies(mv, list));
                deferred.Add(mv);
                continue;
            }

            // 3.4 names only the dependencies it knows (the others would have deferred it).
            _out.Line(M.MissingDependencies(mv, _ctx.Profile.DeferredBuildDepends ? list.Where(known.Contains) : list));
            unresolved++;
        }

        if (deferred.Count > 0)
        {
            foreach (var line in M.AutoinstallDeferred(t.Kernel, deferred.Select(d => $"{d.Module}/{d.Version}")))
            {
                _out.Line(line);
            }
        }

        if (failed.Count > 0 || unresolved > 0)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.AutoinstallFailed, M.AutoinstallFailed());
        }
    }

    /// <summary>
    /// 3.4's deferred BUILD_DEPENDS: true when the profile defers and none of <paramref name="missing"/> is registered
    /// (any version in the tree that is not broken): the dependency may come later, so autoinstall waits, exit 0.
    /// </summary>
    public bool Defers(IReadOnlyCollection<string> missing, IReadOnlySet<string>? registered = null)
    {
        ArgumentNullException.ThrowIfNull(missing);
        if (!_ctx.Profile.DeferredBuildDepends || missing.Count == 0)
        {
            return false;
        }

        registered ??= RegisteredModules();
        return !missing.Any(registered.Contains);
    }

    /// <summary>Every module with a version in the tree that is not broken (dkms 3.4's <c>known_modules</c>).</summary>
    public IReadOnlySet<string> RegisteredModules() =>
        ListVersions().Where(mv => !IsBroken(mv.Module, mv.Version)).Select(mv => mv.Module).ToHashSet(StringComparer.Ordinal);

    /// <summary>What autoinstall would do for a kernel: the newest version of each module, in dependency order.</summary>
    public async Task<AutoinstallPlan> PlanAutoinstallAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default)
    {
        var latest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (m, v) in ListVersions())
        {
            if (IsBroken(m, v))
            {
                _out.Error(M.BrokenInAutoinstall(m, v));
                continue;
            }

            if (!IsAdded(m, v))
            {
                continue;
            }

            if (!latest.TryGetValue(m, out var current) || Versioning.VersionOrder.CompareVer(v, current) > 0)
            {
                latest[m] = v;
            }
        }

        var already = new List<string>();
        var queue = new List<(ModuleRef, IReadOnlySet<string>)>();
        foreach (var (m, v) in latest)
        {
            var mv = new ModuleRef(m, v);
            if (IsInstalled(m, v, t.Kernel, t.Arch))
            {
                already.Add(m);
                continue;
            }

            var conf = _ctx.Confs.RequireValid(await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false));

            if (conf.Autoinstall)
            {
                queue.Add((mv, new HashSet<string>(conf.BuildDepends, StringComparer.Ordinal)));
            }
        }

        return new AutoinstallPlan(already, queue);
    }

    /// <summary>depmod for the kernel without dkms's line: autoinstall's one depmod, after each install printed the line.</summary>
    internal Task DepmodQuietlyAsync(string kernel, ActionOptions options, CancellationToken ct) =>
        new Depmod(Settings, DkmsOutput.Null, new BuildLog(Settings, DkmsOutput.Null, _ctx.Processes)).RunAsync(kernel, options.NoDepmod, ct);

    /// <summary>framework.conf's <c>post_transaction</c>, logged to <c>&lt;dkms_tree&gt;/post_transaction.log</c>.</summary>
    public async Task PostTransactionAsync(CancellationToken ct = default)
    {
        if (Settings.PostTransaction is not { } command)
        {
            return;
        }

        var log = Path.Combine(Tree.Root, "post_transaction.log");
        await File.WriteAllTextAsync(log, string.Empty, ct).ConfigureAwait(false);
        await _ctx.Log.RunStepAsync(new Step(M.PostTransaction, command, Tree.Root) { OutputFile = log, Background = true, Guarded = false }, ct)
            .ConfigureAwait(false);
    }
}
