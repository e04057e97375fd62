using System.Threading.Channels;
using Dkms.Core.Actions;
using Dkms.Core.Autoinstall;
using Dkms.Core.Commands;
using Dkms.Core.Errors;
using Dkms.Core.Signing;
using Dkms.Daemon.Events;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Settings;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using KernelTarget = Dkms.Core.Actions.KernelTarget;
using ModuleRef = Dkms.Core.Actions.ModuleRef;

namespace Dkms.Daemon.Automation;

/// <summary>
/// Autoinstall as the daemon does it: one batch per kernel, an <see cref="AutoinstallRun"/> whose units are jobs on the
/// worker pool. Every module's job is queued once the run has checked the headers and decided the signing; a job
/// runs when the run starts its unit (its dependencies have ended), with that signing, and its buffered output becomes
/// the module's block. At most one batch per kernel runs: a second request for that kernel joins it and replays its
/// events, which is the barrier kernel hooks wait on; its end is published (kernel settled).
/// </summary>
internal sealed class KernelBatches(DaemonContext daemon, ActionRunner runner, EventBus bus, TimeProvider time, ILogger<KernelBatches> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Batch> _active = new(StringComparer.Ordinal);

    /// <summary>The batch running for <paramref name="target"/>, or a new one.</summary>
    /// <param name="target">The kernel.</param>
    /// <param name="caller">Who asked; null when the daemon started it (new headers, reconcile).</param>
    /// <param name="options">The request's options (force, no_depmod, ...).</param>
    /// <param name="skip">Modules an automatic batch leaves alone (they failed before with the same inputs).</param>
    /// <param name="settled">
    /// Told how the batch ended while it is still the kernel's active batch, so whoever checks <see cref="IsActive"/>
    /// next already sees what it recorded (the reconciler's failures).
    /// </param>
    public Batch StartOrJoin(KernelTarget target, Caller? caller, CommandOptions? options, Func<ModuleRef, bool>? skip = null,
        Action<BatchResult>? settled = null)
    {
        var key = $"{target.Kernel}/{target.Arch}";
        lock (_gate)
        {
            if (_active.TryGetValue(key, out var running))
            {
                running.OnSettled(settled);
                return running;
            }

            var batch = new Batch(target);
            batch.OnSettled(settled);
            _active[key] = batch;
            batch.Completion = Task.Run(async () =>
            {
                var result = new BatchResult(1, []);
                try
                {
                    result = await RunAsync(batch, caller, options ?? CommandOptions.Default, skip).ConfigureAwait(false);
                    return result;
                }
                finally
                {
                    lock (_gate)
                    {
                        batch.Settled(result); // before it leaves: a reconcile that finds no batch sees its failures
                        _active.Remove(key);
                    }

                    batch.Complete();
                }
            });
            return batch;
        }
    }

    /// <summary>True while a batch runs for <paramref name="target"/>.</summary>
    public bool IsActive(KernelTarget target)
    {
        lock (_gate)
        {
            return _active.ContainsKey($"{target.Kernel}/{target.Arch}");
        }
    }

    private async Task<BatchResult> RunAsync(Batch batch, Caller? caller, CommandOptions options, Func<ModuleRef, bool>? skip)
    {
        var t = batch.Target;
        var settings = options.Apply(daemon.Settings);
        var output = new OutputCapture(batch.Emit, time, settings.Verbose, messages: settings.Profile.Messages).Output;
        var engine = new DkmsEngine(settings, output, daemon.ConfCache);
        var gates = new Dictionary<string, TaskCompletionSource<string?>>(StringComparer.Ordinal);
        var blocks = new Dictionary<string, Task<(List<OutputLine> Lines, int Code)>>(StringComparer.Ordinal);
        var jobIds = new List<string>();
        AutoinstallPlan? plan = null;
        (bool Decided, SigningPlan? Plan) signing = default;
        var run = new AutoinstallRun(engine, t, options.Engine)
        {
            Prepared = () => Queue(plan!),
            Blocked = (mv, line) => gates[mv.Module].TrySetResult(line), // its job fails with dkms's line, exit 13
        };

        // A job per module, waiting for the run to start its unit (or block it).
        void Queue(AutoinstallPlan plan)
        {
            foreach (var (mv, _) in plan.Queue)
            {
                var gate = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                var install = new BuildCommand(new ModuleArg(mv.Module, mv.Version), SourceDir: null, [new TargetSpec(t.Kernel, t.Arch)],
                    Install: true, options with { Engine = options.Engine with { NoDepmod = true } }); // the run's depmod, once for the kernel
                var job = runner.Start(install, caller, ct => gate.Task.WaitAsync(ct),
                    e => AdoptSigning(e, t, signing)); // the run printed the signing set-up once: the job neither decides nor prints it
                gates[mv.Module] = gate;
                blocks[mv.Module] = ReadBlockAsync(batch, job);
                jobIds.AddRange(job.Jobs.Select(j => j.Id));
            }
        }

        var exit = 0;
        try
        {
            plan = await run.PlanAsync().ConfigureAwait(false);
            if (plan is not null)
            {
                plan = skip is null ? plan : plan.Without(skip);
                await run.RunAsync(plan, async (unit, _) =>
                {
                    signing = (unit.SigningDecided, unit.Signing);
                    gates[unit.Module.Module].TrySetResult(null);
                    var (lines, code) = await blocks[unit.Module.Module].ConfigureAwait(false);
                    return new UnitOutcome(code, () => lines.ForEach(batch.Emit));
                }, parallelism: int.MaxValue).ConfigureAwait(false); // the pool's workers decide how many build at once
            }
        }
        catch (DkmsException e)
        {
            output.Report(e);
            exit = e.ExitCode;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            output.Error(e.Message);
            exit = 1;
        }
        finally
        {
            foreach (var gate in gates.Values)
            {
                gate.TrySetCanceled(); // a unit the run never reached (it failed before)
            }

            await Task.WhenAll(blocks.Values).ConfigureAwait(false); // every job's updates reach the batch's followers
        }

        return Settle(batch, exit, run.Failed, jobIds) with { Deferred = run.Deferred };
    }

    private static void AdoptSigning(DkmsEngine engine, KernelTarget t, (bool Decided, SigningPlan? Plan) signing)
    {
        if (signing.Decided)
        {
            engine.Context.Signer.Adopt(t, signing.Plan);
        }
    }

    private BatchResult Settle(Batch batch, int exit, IReadOnlyList<ModuleRef> failed, List<string> jobIds)
    {
        var e = new KernelEvent
        {
            Kernel = ProtoMapping.ToProto(batch.Target),
            HeadersDir = KernelTrees.CompleteHeaders(daemon.Settings.InstallTree, batch.Target.Kernel) ?? string.Empty,
            AllSucceeded = exit == 0,
        };
        e.FailedModules.AddRange(failed.Select(m => m.ToString()));
        e.JobIds.AddRange(jobIds);
        bus.Publish(new Event { KernelSettled = e });
        AutomationLog.Settled(logger, batch.Target.Kernel, exit, failed.Count);
        return new BatchResult(exit, failed);
    }

    /// <summary>A module's run: its output lines (buffered) and exit code.</summary>
    private static async Task<(List<OutputLine> Lines, int Code)> ReadBlockAsync(Batch batch, ActionRun run)
    {
        var lines = new List<OutputLine>();
        var code = 1;
        await foreach (var e in run.Events.ReadAllAsync().ConfigureAwait(false))
        {
            switch (e.EventCase)
            {
                case ActionEvent.EventOneofCase.Output:
                    lines.Add(e.Output);
                    break;
                case ActionEvent.EventOneofCase.Job:
                    batch.EmitJob(e.Job);
                    break;
                case ActionEvent.EventOneofCase.Result:
                    code = e.Result.ExitCode;
                    break;
            }
        }

        return (lines, code);
    }

}

/// <summary>How a batch ended: dkms's exit code for autoinstall (0, 11, 21) and the modules that failed.</summary>
/// <param name="ExitCode">autoinstall's exit code.</param>
/// <param name="Failed">The modules that failed or were blocked.</param>
internal sealed record BatchResult(int ExitCode, IReadOnlyList<ModuleRef> Failed)
{
    /// <summary>3.4: the modules deferred until their BUILD_DEPENDS is registered.</summary>
    public IReadOnlyList<ModuleRef> Deferred { get; init; } = [];
}

/// <summary>One kernel's autoinstall batch: its events (job updates and output, replayed to every joiner) and its end.</summary>
internal sealed class Batch(KernelTarget target)
{
    private readonly Lock _gate = new();
    private readonly List<ActionEvent> _events = [];
    private readonly List<Channel<ActionEvent>> _followers = [];
    private readonly List<Action<BatchResult>> _settled = [];
    private bool _completed;

    public KernelTarget Target { get; } = target;

    public Task<BatchResult> Completion { get; set; } = Task.FromResult(new BatchResult(0, []));

    public void Emit(OutputLine line) => Add(new ActionEvent { Output = line });

    public void EmitJob(Job job) => Add(new ActionEvent { Job = job });

    /// <summary>Everything so far, then what follows until the batch ends.</summary>
    public ChannelReader<ActionEvent> Follow()
    {
        var channel = Channel.CreateUnbounded<ActionEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var e in _events)
            {
                channel.Writer.TryWrite(e);
            }

            if (_completed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _followers.Add(channel);
            }
        }

        return channel.Reader;
    }

    /// <summary>Adds a callback <see cref="Settled"/> calls (under the batches' lock, so none is added after it ran).</summary>
    public void OnSettled(Action<BatchResult>? settled)
    {
        if (settled is not null)
        {
            _settled.Add(settled);
        }
    }

    public void Settled(BatchResult result)
    {
        foreach (var settled in _settled)
        {
            settled(result);
        }
    }

    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            foreach (var f in _followers)
            {
                f.Writer.TryComplete();
            }

            _followers.Clear();
        }
    }

    private void Add(ActionEvent e)
    {
        lock (_gate)
        {
            _events.Add(e);
            foreach (var f in _followers)
            {
                f.Writer.TryWrite(e);
            }
        }
    }
}
