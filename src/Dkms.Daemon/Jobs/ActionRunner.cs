using System.Globalization;
using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Daemon.Events;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// The worker pool: each command becomes an <see cref="ActionRun"/> whose jobs (its <see cref="CommandUnits"/>) are
/// queued at once and run when one of <see cref="DaemonOptions.Workers"/> slots is free, through the same
/// <see cref="CommandRunner"/> dkmsctl uses in-process. Requests on one module also wait for each other on
/// the engine's module lock, shared with in-process dkmsctl and dkms.
/// </summary>
internal sealed class ActionRunner(DaemonContext daemon, JobManager jobs, EventBus bus, IOptions<DaemonOptions> options,
    TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ActionRunner> logger) : IHostedService, IDisposable
{
    /// <summary>The exit code of a request that did not run because what it depends on failed (dkms's BUILD_DEPENDS code).</summary>
    public const int BlockedExitCode = 13;

    private readonly SemaphoreSlim _slots = new(options.Value.Workers, options.Value.Workers);
    private readonly Lock _gate = new();
    private readonly HashSet<ActionRun> _active = [];
    private SemaphoreSlim? _makeTokens;
    private int _makeBudget;
    private int _ready;
    private long _lastRequest;

    /// <summary>
    /// Queues <paramref name="command"/>: a job per unit it will run exists (and was announced) when this returns.
    /// <paramref name="before"/> (a batch's BUILD_DEPENDS) is awaited before the command competes for a worker;
    /// when it returns a reason, the command does not run and its jobs fail with that line and exit code 13.
    /// <paramref name="setUp"/> prepares the engine the command runs on (a batch's signing, decided once).
    /// </summary>
    public ActionRun Start(DkmsCommand command, Caller? caller, Func<CancellationToken, Task<string?>>? before = null,
        Action<DkmsEngine>? setUp = null)
    {
        var effective = Effective(command);
        var id = "r" + Interlocked.Increment(ref _lastRequest).ToString(CultureInfo.InvariantCulture);
        var run = new ActionRun(id, effective, caller, lifetime.ApplicationStopping);
        var units = CommandUnits.Of(effective, Core.Platform.SystemInfo.RunningKernel(),
            mv => new DkmsEngine(daemon.Settings, Core.Output.DkmsOutput.Null, daemon.ConfCache).BuiltTargets(mv));
        foreach (var unit in units)
        {
            run.Add(jobs.Create(run, ProtoMapping.ToProto(unit)));
        }

        lock (_gate)
        {
            if (RemovedModule(effective) is { } removed)
            {
                SupersedeWorkOn(removed);
            }

            _active.Add(run);
        }

        run.Completion = Task.Run(() => ExecuteAsync(run, before, setUp));
        return run;
    }

    /// <summary>
    /// A <c>remove</c> wins over the work queued or running for its module: that work is cancelled (a running
    /// build's process group is killed) and ends as superseded, so nothing reinstalls the module after the remove
    /// returned. The remove itself then waits for the module lock as usual.
    /// </summary>
    private void SupersedeWorkOn(string module)
    {
        foreach (var other in _active.Where(r => r.Command.Kind is not DkmsAction.Remove && r.Jobs.Any(j => j.Snapshot().Key?.Module == module)))
        {
            JobLog.Superseded(logger, other.Id, module);
            other.Supersede();
        }
    }

    private static string? RemovedModule(DkmsCommand command) =>
        command is ModuleRemovalCommand { Kind: DkmsAction.Remove, Module.Name.Length: > 0 } remove ? remove.Module.Name : null;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Shutdown: every request is cancelled (builds' process groups are killed) and finishes its jobs before the host stops.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<ActionRun> active;
        lock (_gate)
        {
            active = [.. _active];
        }

        if (active.Count == 0)
        {
            return;
        }

        JobLog.CancellingAtShutdown(logger, active.Count);
        foreach (var run in active)
        {
            run.Cancel();
        }

        await Task.WhenAll(active.Select(r => r.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _slots.Dispose();

    private async Task ExecuteAsync(ActionRun run, Func<CancellationToken, Task<string?>>? before, Action<DkmsEngine>? setUp)
    {
        var outcome = new CommandOutcome(ActionRun.CancelledExitCode);
        RunObserver? observer = null;
        var tookSlot = false;
        var ready = false;
        var tokens = 0;
        try
        {
            if (before is not null && await before(run.Token).ConfigureAwait(false) is { } blocked)
            {
                run.BlockedReason = blocked;
                OnOutput(run, null, new OutputLine { Stream = OutputStream.Stdout, Text = blocked, Time = Timestamp.FromDateTimeOffset(time.GetUtcNow()) });
                outcome = new CommandOutcome(BlockedExitCode);
                return;
            }

            Interlocked.Increment(ref _ready);
            ready = true;
            await _slots.WaitAsync(run.Token).ConfigureAwait(false);
            tookSlot = true;
            var settings = run.Command.Options.Apply(daemon.Settings);
            if (run.Command.Options.ParallelJobs is null && settings.ParallelJobs is { } budget)
            {
                tokens = await TakeMakeTokensAsync(budget, run.Token).ConfigureAwait(false);
                settings = settings with { ParallelJobs = tokens };
            }

            var capture = new OutputCapture(line => OnOutput(run, observer, line), time, settings.Verbose, messages: settings.Profile.Messages);
            observer = new RunObserver(run, jobs, new Core.Tree.DkmsTree(settings), time);
            var engine = new DkmsEngine(settings, capture.Output, daemon.ConfCache) { Observer = observer };
            setUp?.Invoke(engine);

            var first = run.FirstJob;
            if (first is not null)
            {
                jobs.Start(first); // the command's first job runs from now; the others when the engine reaches their units
            }

            var modulesBefore = Modules(engine);
            outcome = await new CommandRunner(engine).RunAsync(run.Command, run.Token).ConfigureAwait(false);
            var modulesAfter = Modules(engine);
            PublishModuleChanges(modulesBefore, modulesAfter);
            NameUnnamedJob(run, modulesAfter.Except(modulesBefore).ToList());
        }
        catch (OperationCanceledException) when (run.IsCancelled)
        {
            // Superseded by a remove: not a failure of whoever asked (a kernel's batch, the reconciler).
            outcome = new CommandOutcome(run.IsSuperseded ? 0 : ActionRun.CancelledExitCode);
        }
        catch (Exception e)
        {
            JobLog.RequestCrashed(logger, e, run.Id);
            outcome = new CommandOutcome(1);
        }
        finally
        {
            if (tookSlot)
            {
                _slots.Release();
            }

            if (tokens > 0)
            {
                _makeTokens!.Release(tokens);
            }

            if (ready)
            {
                Interlocked.Decrement(ref _ready);
            }

            observer?.Dispose();
            FinishUnreached(run, observer, outcome);
            var result = new ActionResult { ExitCode = outcome.ExitCode, Archive = outcome.Archive ?? string.Empty };
            result.JobIds.AddRange(run.Jobs.Select(j => j.Id));
            run.Finish(result);
            lock (_gate)
            {
                _active.Remove(run);
            }

            run.Dispose();
        }
    }

    /// <summary>
    /// One make <c>-j</c> budget (framework.conf's <c>parallel_jobs</c>, by default the cores) shared by every
    /// running job: a job takes its share of the jobs ready to run, at least 1, and holds it until it ends,
    /// so concurrent builds never run more compilers than the budget.
    /// </summary>
    private async Task<int> TakeMakeTokensAsync(int budget, CancellationToken ct)
    {
        lock (_gate)
        {
            // The budget is fixed when the first job runs (framework.conf is read once, at start).
            _makeTokens ??= new SemaphoreSlim(budget, budget);
            _makeBudget = _makeBudget == 0 ? budget : _makeBudget;
        }

        budget = _makeBudget;
        // Every request the pool holds counts (a batch queues all its modules at once), so the first job of a
        // batch does not take the whole budget while the next one waits for a worker it could already use.
        int active;
        lock (_gate)
        {
            active = _active.Count;
        }

        var concurrent = Math.Clamp(Math.Max(active, Volatile.Read(ref _ready)), 1, options.Value.Workers);
        var share = Math.Max(1, budget / concurrent);
        for (var taken = 0; taken < share; taken++)
        {
            try
            {
                await _makeTokens.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                if (taken > 0)
                {
                    _makeTokens.Release(taken);
                }

                throw;
            }
        }

        return share;
    }

    /// <summary>
    /// Jobs no unit of the engine finished end with the command: the one that stands for the command as a whole (a
    /// module without a kernel, a kernel whose modules the engine found), and units it never reached (it failed
    /// before them).
    /// </summary>
    private void FinishUnreached(ActionRun run, RunObserver? observer, CommandOutcome outcome)
    {
        foreach (var record in run.Jobs.Where(j => !j.IsFinished))
        {
            if (run.IsCancelled)
            {
                jobs.Finish(record, JobState.Cancelled, ActionRun.CancelledExitCode, string.Empty, record.BuildLog);
            }
            else if (observer is not null)
            {
                observer.FinishJob(record, outcome.ExitCode, record.BuildLog);
            }
            else
            {
                jobs.Finish(record, outcome.ExitCode == 0 ? JobState.Succeeded : JobState.Failed, outcome.ExitCode,
                    run.BlockedReason ?? string.Empty, null);
            }
        }
    }

    /// <summary>An <c>add</c> of a directory or archive learns its module/version only when it is added.</summary>
    private void NameUnnamedJob(ActionRun run, List<(string Module, string Version)> added)
    {
        if (added.Count == 1 && run.FirstJob is { } first && first.Snapshot().Key.Module.Length == 0)
        {
            jobs.SetKey(first, new JobKey { Module = added[0].Module, Version = added[0].Version });
        }
    }

    private void OnOutput(ActionRun run, RunObserver? observer, OutputLine line)
    {
        observer?.CatchUpBuildLog(); // make.log lines written before this line come first
        var record = observer?.Current ?? run.FirstJob;
        if (record is not null)
        {
            line.JobId = record.Id;
            jobs.AppendLines(record, [line]);
        }

        run.Output(line);
    }

    /// <summary>The command as the daemon runs it: its own <c>--no-depmod</c> applies to every command.</summary>
    private DkmsCommand Effective(DkmsCommand command) =>
        options.Value.NoDepmod
            ? command with { Options = command.Options with { Engine = command.Options.Engine with { NoDepmod = true } } }
            : command;

    private static HashSet<(string, string)> Modules(DkmsEngine engine) => [.. engine.ListVersions()];

    private void PublishModuleChanges(HashSet<(string Module, string Version)> before, HashSet<(string Module, string Version)> after)
    {
        foreach (var (m, v) in after.Except(before).Order())
        {
            bus.Publish(new Event { ModuleAdded = new ModuleEvent { Module = ProtoMapping.ToProto(new ModuleArg(m, v)) } });
        }

        foreach (var (m, v) in before.Except(after).Order())
        {
            bus.Publish(new Event { ModuleRemoved = new ModuleEvent { Module = ProtoMapping.ToProto(new ModuleArg(m, v)) } });
        }
    }
}
