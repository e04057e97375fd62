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
            _out.Line("Automatic installation of modules has been disabled.");
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
                if (!IsBuiltDir(mv.Module, mv.Version, t.Kernel, t.Arch))
                {
                    PrepareKernel(Kernel(t, options)); // missing headers: dkms's exit 21 for the whole run
                    await PrepareSigningAsync(Kernel(t, options), ct).ConfigureAwait(false);
                }

                _out.Line($"Autoinstall of module {mv} for kernel {t}");
                int code;
                try
                {
                    await using (await LockAsync(mv.Module, ct).ConfigureAwait(false))
                    {
                        code = await ObservedUnitAsync(mv, t, () => InstallLockedAsync(mv, t, options, ct)).ConfigureAwait(false);
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
                    case 77: skipped.Add(mv.Module); break;
                    default: failed.Add($"{mv.Module}({code})"); break;
                }

                _out.Line();
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
    /// dkms's closing lines of autoinstall: what succeeded (already installed included), was skipped, failed
    /// (as <c>module(code)</c>) and waited for missing dependencies; exit 11 (thrown) when anything failed or waited.
    /// </summary>
    public void ReportAutoinstall(KernelTarget t, IReadOnlyCollection<string> installed, IReadOnlyCollection<string> skipped,
        IReadOnlyCollection<string> failed, IReadOnlyCollection<(ModuleRef Module, IEnumerable<string> Missing)> pending)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (installed.Count > 0)
        {
            _out.Line($"Autoinstall on {t.Kernel} succeeded for module(s) {string.Join(' ', installed)}.");
        }

        if (skipped.Count > 0)
        {
            _out.Line($"Autoinstall on {t.Kernel} was skipped for module(s) {string.Join(' ', skipped)}.");
        }

        if (failed.Count > 0)
        {
            _out.Line($"Autoinstall on {t.Kernel} failed for module(s) {string.Join(' ', failed)}.");
        }

        foreach (var (mv, missing) in pending)
        {
            _out.Line(MissingDependencies(mv, missing));
        }

        if (failed.Count > 0 || pending.Count > 0)
        {
            throw new DkmsException(DkmsErrorKind.ExternalFailure, 11, "One or more modules failed to install during autoinstall.",
                "Refer to previous errors for more information.");
        }
    }

    /// <summary>dkms's line for a module autoinstall did not attempt because what it BUILD_DEPENDS on is not installed.</summary>
    public static string MissingDependencies(ModuleRef mv, IEnumerable<string> missing) =>
        $"{mv} autoinstall failed due to missing dependencies: {string.Join(' ', missing)}.";

    /// <summary>What autoinstall would do for a kernel: the newest version of each module, in dependency order.</summary>
    public async Task<AutoinstallPlan> PlanAutoinstallAsync(KernelTarget t, ActionOptions options, CancellationToken ct = default)
    {
        var latest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (m, v) in ListVersions())
        {
            if (IsBroken(m, v))
            {
                _out.Error($"{m}/{v} is broken! Missing the source directory or the symbolic link pointing to it.",
                    "Manual intervention is required!");
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

            var conf = await ReadConfAsync(mv, t, options with { ConfFile = null }, strict: false, ct).ConfigureAwait(false);
            if (!conf.IsValid)
            {
                ReportConf(conf);
                Conf.DkmsConfReader.RequireValid(conf);
            }

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
        await InvokeLoggedAsync("Executing post-transaction command", command, Tree.Root, log, null, ct, guarded: false).ConfigureAwait(false);
    }
}
