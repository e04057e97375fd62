using Dkms.Core.Actions;
using Dkms.Core.Errors;
using Dkms.Core.Output;
using Dkms.Core.Signing;

namespace Dkms.Core.Autoinstall;

/// <summary>
/// dkms's autoinstall for one kernel, written once for both hosts: the <c>no-autoinstall</c> switch, the header check
/// and the signing preamble (once, before the first module), the modules in BUILD_DEPENDS order (a module starts when
/// the modules it depends on have ended; one that failed blocks only its dependents), dkms's block per module and its
/// summary, depmod once for the kernel, and post_transaction. How a unit runs is the host's: dkmsctl installs inline,
/// one at a time; dkmsd starts a job on its pool and hands back the job's buffered block.
/// </summary>
/// <remarks>
/// One loop starts the units: each module has a task that completes when it has ended (installed or skipped: true),
/// and a module is ready when its dependencies' tasks are complete. Ready modules start in dkms's order, the next
/// one after the last started, round the plan (dkms's passes); the loop awaits the units it started, never polls.
/// </remarks>
public sealed class AutoinstallRun(DkmsEngine engine, KernelTarget target, ActionOptions options)
{
    private readonly List<ModuleRef> _failed = [];
    private readonly List<ModuleRef> _deferred = [];

    private DkmsOutput Out => engine.Output;

    private DkmsMessages M => engine.Output.Messages;

    /// <summary>
    /// Told once the headers are checked and the signing decided, before the first unit starts (dkmsd queues a job per
    /// module here: a run that ends with exit 21 has none).
    /// </summary>
    public Action? Prepared { get; init; }

    /// <summary>Told of each module that does not run because a dependency is missing or failed, with dkms's line.</summary>
    public Action<ModuleRef, string>? Blocked { get; init; }

    /// <summary>The modules that failed or were blocked, known when the units have ended (before the summary).</summary>
    public IReadOnlyList<ModuleRef> Failed => _failed;

    /// <summary>3.4: the modules deferred because a BUILD_DEPENDS is not registered yet (not failed: exit 0).</summary>
    public IReadOnlyList<ModuleRef> Deferred => _deferred;

    /// <summary>The plan, or null (with dkms's line) when <c>no-autoinstall</c> switches autoinstall off.</summary>
    public async Task<AutoinstallPlan?> PlanAsync(CancellationToken ct = default)
    {
        if (File.Exists(Path.Combine(engine.Settings.ConfigDir, "no-autoinstall")))
        {
            Out.Line(M.AutoinstallDisabled);
            return null;
        }

        return await engine.PlanAutoinstallAsync(target, options, ct).ConfigureAwait(false);
    }

    /// <summary>Plans (<see cref="PlanAsync"/>) and runs the plan.</summary>
    public async Task<int> RunAsync(Func<AutoinstallUnit, CancellationToken, Task<UnitOutcome>> runUnit, int parallelism, CancellationToken ct = default) =>
        await PlanAsync(ct).ConfigureAwait(false) is { } plan ? await RunAsync(plan, runUnit, parallelism, ct).ConfigureAwait(false) : 0;

    /// <summary>Runs <paramref name="plan"/>: at most <paramref name="parallelism"/> units at once.</summary>
    /// <param name="plan">What to install.</param>
    /// <param name="runUnit">Installs one module; dkms's failures are its exit code, not an exception.</param>
    /// <param name="parallelism">1: each module's block is framed as it starts (the unit prints as it runs); more: when it ends.</param>
    /// <param name="ct">Cancels the run; passed to every unit.</param>
    /// <returns>0; dkms's exit 21 (no headers for a module that needs building) and 11 (one failed or waited) are thrown.</returns>
    public async Task<int> RunAsync(AutoinstallPlan plan, Func<AutoinstallUnit, CancellationToken, Task<UnitOutcome>> runUnit, int parallelism,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(runUnit);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        if (plan.Queue.Count == 0)
        {
            return 0;
        }

        var (decided, signing) = await PrepareAsync(plan, ct).ConfigureAwait(false);
        Prepared?.Invoke();
        var streaming = parallelism == 1;
        var queue = plan.Queue;
        var ended = queue.ToDictionary(q => q.Module.Module, _ => new TaskCompletionSource<bool>(), StringComparer.Ordinal);
        var before = plan.AlreadyInstalled.ToHashSet(StringComparer.Ordinal);
        var waiting = new SortedSet<int>(Enumerable.Range(0, queue.Count));
        var running = new Dictionary<Task<UnitOutcome>, int>();
        var installed = new List<string>(plan.AlreadyInstalled);
        var skipped = new List<string>();
        var failed = new List<string>();
        var blocked = new List<(int Index, List<string> Missing)>();
        var last = -1;

        // A dependency is met when it was installed before the run, or it ended here installed or skipped.
        List<string> Missing(IReadOnlySet<string> depends) =>
            [.. depends.Where(d => !before.Contains(d) && !(ended.TryGetValue(d, out var e) && e.Task is { IsCompletedSuccessfully: true, Result: true }))];

        void Block(int i, List<string> missing)
        {
            waiting.Remove(i);
            blocked.Add((i, missing));
            ended[queue[i].Module.Module].SetResult(false);
            Blocked?.Invoke(queue[i].Module, engine.Defers(missing)
                ? M.DeferredDependencies(queue[i].Module, missing)
                : M.MissingDependencies(queue[i].Module, missing));
        }

        // Starts (and blocks) what it can, the next module after the last started first, until nothing changes.
        void Dispatch()
        {
            bool changed;
            do
            {
                changed = false;
                foreach (var i in waiting.Where(i => i > last).Concat(waiting.Where(i => i <= last)).ToList())
                {
                    var (mv, depends) = queue[i];
                    if (depends.Any(d => ended.TryGetValue(d, out var e) && !e.Task.IsCompleted))
                    {
                        continue; // a dependency in this run has not ended
                    }

                    if (Missing(depends) is { Count: > 0 } missing)
                    {
                        Block(i, missing);
                        changed = true;
                        continue;
                    }

                    if (running.Count >= parallelism)
                    {
                        continue;
                    }

                    waiting.Remove(i);
                    last = i;
                    changed = true;
                    if (streaming)
                    {
                        M.AutoinstallStarting(Out, mv, target);
                    }

                    running[runUnit(new AutoinstallUnit(mv, target, decided, signing), ct)] = i;
                }
            }
            while (changed);
        }

        Dispatch();
        while (running.Count > 0)
        {
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var i = running[done];
            running.Remove(done);
            var outcome = await done.ConfigureAwait(false);
            var mv = queue[i].Module;
            if (!streaming)
            {
                M.AutoinstallStarting(Out, mv, target);
            }

            outcome.PrintBlock?.Invoke();
            M.AutoinstallEnded(Out);
            switch (outcome.ExitCode)
            {
                case 0: installed.Add(mv.Module); break;
                case DkmsExitCode.Excluded: skipped.Add(mv.Module); break;
                default:
                    failed.Add($"{mv.Module}({outcome.ExitCode})");
                    _failed.Add(mv);
                    break;
            }

            ended[mv.Module].SetResult(outcome.ExitCode is 0 or DkmsExitCode.Excluded);
            Dispatch();
        }

        foreach (var i in waiting.ToList())
        {
            Block(i, Missing(queue[i].Depends)); // waits for itself, through a BUILD_DEPENDS cycle
        }

        blocked.Sort((a, b) => a.Index.CompareTo(b.Index));
        var registered = engine.RegisteredModules();
        foreach (var (index, missing) in blocked)
        {
            (engine.Defers(missing, registered) ? _deferred : _failed).Add(queue[index].Module);
        }

        var any = installed.Count > plan.AlreadyInstalled.Count;
        if (any)
        {
            // Each install printed dkms's depmod line (and skipped its depmod): the kernel's one depmod is silent.
            await engine.DepmodQuietlyAsync(target.Kernel, options, ct).ConfigureAwait(false);
        }

        engine.ReportAutoinstall(target, installed, skipped, failed, [.. blocked.Select(b => (queue[b.Index].Module, (IEnumerable<string>)b.Missing))]);
        if (any)
        {
            // dkms means to run post_transaction here but never does (§13.1).
            await engine.PostTransactionAsync(ct).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>
    /// Before the first module, when one needs building: dkms's header check (exit 21 for the whole run) and, when the
    /// words print it once per autoinstall, the signing set-up, decided here for every unit.
    /// </summary>
    private async Task<(bool Decided, SigningPlan? Signing)> PrepareAsync(AutoinstallPlan plan, CancellationToken ct)
    {
        IEnumerable<(ModuleRef Module, IReadOnlySet<string> Depends)> candidates =
            engine.Settings.Profile.KernelPreparedAfterBuildChecks ? Startable(plan) : plan.Queue;
        if (candidates.All(q => engine.IsBuiltDir(q.Module.Module, q.Module.Version, target.Kernel, target.Arch)))
        {
            return (false, null);
        }

        engine.RequireHeaders(target, options);
        if (!M.SigningPreambleOncePerAutoinstall)
        {
            return (false, null); // each build prints its own
        }

        return (true, await engine.PrepareSigningAsync(target, options, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// The modules of the plan whose BUILD_DEPENDS can all be met in this run (installed before, or startable
    /// themselves): 3.2 prepares the kernel only before one of these, so a run where every module waits for a missing
    /// dependency (or for itself, through a cycle) prints no signing prologue.
    /// </summary>
    private static List<(ModuleRef Module, IReadOnlySet<string> Depends)> Startable(AutoinstallPlan plan)
    {
        var met = plan.AlreadyInstalled.ToHashSet(StringComparer.Ordinal);
        var startable = new List<(ModuleRef Module, IReadOnlySet<string> Depends)>();
        bool grew;
        do
        {
            grew = false;
            foreach (var q in plan.Queue)
            {
                if (!met.Contains(q.Module.Module) && q.Depends.All(met.Contains))
                {
                    met.Add(q.Module.Module);
                    startable.Add(q);
                    grew = true;
                }
            }
        }
        while (grew);

        return startable;
    }
}
