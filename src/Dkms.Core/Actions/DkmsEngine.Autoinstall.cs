using Dkms.Core.Errors;

namespace Dkms.Core.Actions;

public sealed partial class DkmsEngine
{
    /// <summary>
    /// <c>autoinstall -k K</c>: installs the newest version of every AUTOINSTALL module that is not
    /// installed on K, dependencies first (BUILD_DEPENDS); one failure does not stop the others.
    /// </summary>
    /// <returns>0, 21 (no headers for a module that needs building) or 11 (some failed or were unresolved).</returns>
    public async Task<int> AutoinstallAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default)
    {
        if (File.Exists(Path.Combine(Settings.ConfigDir, "no-autoinstall")))
        {
            _out.Line(M.AutoinstallDisabled);
            return 0;
        }

        var plan = await PlanAutoinstallAsync(t, options, ct).ConfigureAwait(false);
        if (plan.Queue.Count == 0)
        {
            return 0;
        }

        var installed = new List<string>(plan.AlreadyInstalled);
        var skipped = new List<string>();
        var failed = new List<string>();
        var pending = new List<(ModuleRef Module, HashSet<string> Depends)>(plan.Queue);
        bool progress;
        do
        {
            progress = false;
            foreach (var item in pending.ToList())
            {
                item.Depends.RemoveWhere(d => installed.Contains(d) || skipped.Contains(d));
                if (item.Depends.Count > 0)
                {
                    continue;
                }

                pending.Remove(item);
                progress = true;
                var mv = item.Module;
                if (!State.IsBuilt(mv.Module, mv.Version, t.Kernel, t.Arch))
                {
                    var kernel = Kernel(t, options);
                    RequireHeaders(kernel); // missing headers: dkms's exit 21 for the whole run
                    if (M.SigningPreambleOncePerAutoinstall)
                    {
                        await _ctx.Signer.PrepareAsync(kernel, ct).ConfigureAwait(false);
                    }
                }

                M.AutoinstallStarting(_out, mv, t);
                int code;
                try
                {
                    await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
                    {
                        code = await ObservedUnitAsync(mv, t, () => InstallWithLockHeldAsync(mv, t, options, ct)).ConfigureAwait(false);
                    }
                }
                catch (DkmsException e)
                {
                    Report(e);
                    code = e.ExitCode;
                }

                switch (code)
                {
                    case 0: installed.Add(mv.Module); break;
                    case DkmsExitCode.Excluded: skipped.Add(mv.Module); break;
                    default: failed.Add($"{mv.Module}({code})"); break;
                }

                M.AutoinstallEnded(_out);
            }
        }
        while (progress && pending.Count > 0);

        ReportAutoinstall(t, installed, skipped, failed, [.. pending.Select(p => (p.Module, (IEnumerable<string>)p.Depends))]);

        if (installed.Count > plan.AlreadyInstalled.Count)
        {
            // dkms means to run post_transaction here but never does (§13.1).
            await PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return 0;
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
        M.AutoinstallSummary(_out, t.Kernel, installed, skipped, failed);
        foreach (var (mv, missing) in pending)
        {
            _out.Line(M.MissingDependencies(mv, missing));
        }

        if (failed.Count > 0 || pending.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, DkmsExitCode.AutoinstallFailed, M.AutoinstallFailed());
        }
    }

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
        var queue = new List<(ModuleRef, HashSet<string>)>();
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
