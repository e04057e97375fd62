using System.Threading.Channels;
using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Core.Errors;
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
/// Autoinstall as the daemon does it: for one kernel, one install job per AUTOINSTALL module (newest
/// version), all queued at once on the worker pool; a module waits for the modules it BUILD_DEPENDS on in
/// the same batch, and one that fails blocks only its dependents. depmod runs once for the kernel when every
/// job has ended, then the kernel is settled (an event). At most one batch per kernel runs: a second request
/// for that kernel joins it, which is the barrier kernel hooks wait on.
/// </summary>
internal sealed class AutoinstallBatches(DaemonContext daemon, ActionRunner runner, EventBus bus, TimeProvider time, ILogger<AutoinstallBatches> logger)
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
        var capture = new OutputCapture(batch.Emit, time, settings.Verbose);
        var engine = new DkmsEngine(settings, capture.Output, daemon.ConfCache);
        var output = capture.Output;
        var coreOptions = options.Engine;
        var failed = new List<string>();
        var jobIds = new List<string>();
        var exit = 0;
        try
        {
            if (File.Exists(Path.Combine(settings.ConfigDir, "no-autoinstall")))
            {
                output.Line(output.Messages.AutoinstallDisabled);
                return Settle(batch, exit, failed, jobIds);
            }

            var plan = await engine.PlanAutoinstallAsync(t, coreOptions).ConfigureAwait(false);
            var queue = plan.Queue.Where(q => skip?.Invoke(q.Module) != true).ToList();
            var preamble = new List<OutputLine>();
            if (queue.Count > 0 && queue.Any(q => !engine.IsBuiltDir(q.Module.Module, q.Module.Version, t.Kernel, t.Arch)))
            {
                engine.RequireHeaders(t, coreOptions); // dkms's exit 21 for the whole run
                if (output.Messages.SigningPreambleOncePerAutoinstall)
                {
                    // The signing set-up is printed once, before the first module; each job's own copy is dropped below.
                    var signing = new DkmsEngine(settings, new OutputCapture(preamble.Add, time, settings.Verbose).Output, daemon.ConfCache);
                    await signing.PrepareSigningAsync(t, coreOptions).ConfigureAwait(false);
                    foreach (var line in preamble)
                    {
                        batch.Emit(line);
                    }
                }
            }

            var runs = new Dictionary<string, ActionRun>(StringComparer.Ordinal);
            var installed = new HashSet<string>(plan.AlreadyInstalled, StringComparer.Ordinal); // before the batch; never changed
            var inBatch = queue.Select(q => q.Module.Module).ToHashSet(StringComparer.Ordinal);
            var blockedBy = new System.Collections.Concurrent.ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (mv, depends) in queue)
            {
                var install = new BuildCommand(new ModuleArg(mv.Module, mv.Version), SourceDir: null, [new TargetSpec(t.Kernel, t.Arch)],
                    Install: true, options with { Engine = coreOptions with { NoDepmod = true } }); // depmod once for the kernel, after the batch
                var deps = depends.ToList();
                var run = runner.Start(install, caller,
                    ct => WaitForDependenciesAsync(output.Messages, mv, deps, runs, installed, inBatch, blockedBy, ct));
                lock (runs)
                {
                    runs[mv.Module] = run;
                }
            }

            // Each module's output as one block, in the order the modules end, as dkms prints them one after another.
            var results = new List<(ModuleRef Module, int Code)>();
            var pending = queue.Select(q => (q.Module, Run: runs[q.Module.Module])).ToList();
            jobIds.AddRange(pending.SelectMany(p => p.Run.Jobs.Select(j => j.Id)));
            var reading = pending.ToDictionary(p => p.Run, p => ReadBlockAsync(batch, p.Run));
            while (reading.Count > 0)
            {
                var done = await Task.WhenAny(reading.Values).ConfigureAwait(false);
                var run = reading.First(r => r.Value == done).Key;
                reading.Remove(run);
                var (block, code) = await done.ConfigureAwait(false);
                var mv = pending.First(p => p.Run == run).Module;
                results.Add((mv, code));
                if (code == ActionRunner.BlockedExitCode && blockedBy.ContainsKey(mv.Module))
                {
                    continue; // never ran: its line comes with the others that waited, at the end
                }

                output.Messages.AutoinstallStarting(output, mv, t);
                foreach (var line in WithoutPreamble(block, preamble))
                {
                    batch.Emit(line);
                }

                output.Messages.AutoinstallEnded(output);
            }

            var ok = results.Where(r => r.Code == 0).Select(r => r.Module.Module).ToList();
            var blocked = results.Where(r => r.Code == ActionRunner.BlockedExitCode && blockedBy.ContainsKey(r.Module.Module))
                .Select(r => (r.Module, (IEnumerable<string>)blockedBy[r.Module.Module])).ToList();
            failed.AddRange(results.Where(r => r.Code is not 0 and not 77).Select(r => $"{r.Module.Module}/{r.Module.Version}"));
            if (ok.Count > 0)
            {
                // Each install printed dkms's depmod line already (its own depmod was skipped): this one is silent.
                await new DkmsEngine(settings, Core.Output.DkmsOutput.Null, daemon.ConfCache).DepmodAsync(t.Kernel, coreOptions).ConfigureAwait(false);
            }

            engine.ReportAutoinstall(t, [.. plan.AlreadyInstalled.Concat(ok)],
                [.. results.Where(r => r.Code == 77).Select(r => r.Module.Module)],
                [.. results.Where(r => r.Code is not 0 and not 77 && !blocked.Any(b => b.Module == r.Module)).Select(r => $"{r.Module.Module}({r.Code})")],
                blocked);

            if (ok.Count > 0)
            {
                await engine.PostTransactionAsync().ConfigureAwait(false);
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

        return Settle(batch, exit, failed, jobIds);
    }

    private BatchResult Settle(Batch batch, int exit, List<string> failed, List<string> jobIds)
    {
        var e = new KernelEvent
        {
            Kernel = ProtoMapping.ToProto(batch.Target),
            HeadersDir = KernelTrees.CompleteHeaders(daemon.Settings.InstallTree, batch.Target.Kernel) ?? string.Empty,
            AllSucceeded = exit == 0,
        };
        e.FailedModules.AddRange(failed);
        e.JobIds.AddRange(jobIds);
        bus.Publish(new Event { KernelSettled = e });
        AutomationLog.Settled(logger, batch.Target.Kernel, exit, failed.Count);
        return new BatchResult(exit, failed);
    }

    /// <summary>
    /// Waits for the modules <paramref name="mv"/> BUILD_DEPENDS on that are in this batch; a dependency that
    /// is neither installed now nor was (nor skipped) blocks it, with dkms's words.
    /// </summary>
    private static async Task<string?> WaitForDependenciesAsync(Core.Output.DkmsMessages messages, ModuleRef mv, List<string> deps,
        Dictionary<string, ActionRun> runs,
        HashSet<string> installed, HashSet<string> inBatch, System.Collections.Concurrent.ConcurrentDictionary<string, List<string>> blockedBy,
        CancellationToken ct)
    {
        foreach (var dep in deps.Where(inBatch.Contains))
        {
            ActionRun? run;
            lock (runs)
            {
                runs.TryGetValue(dep, out run);
            }

            while (run is null)
            {
                await Task.Delay(10, ct).ConfigureAwait(false); // the batch is still queueing its modules
                lock (runs)
                {
                    runs.TryGetValue(dep, out run);
                }
            }

            await run.Completion.WaitAsync(ct).ConfigureAwait(false);
        }

        // A dependency counts when it was installed before the batch, or its job here ended installed or skipped.
        List<string> missing;
        lock (runs)
        {
            missing = deps.Where(d => !installed.Contains(d) && !(runs.TryGetValue(d, out var r) && r.Completion.IsCompleted
                && r.Jobs.All(j => j.Snapshot().State is JobState.Succeeded or JobState.Skipped))).ToList();
        }

        if (missing.Count == 0)
        {
            return null;
        }

        blockedBy[mv.Module] = missing;
        return messages.MissingDependencies(mv, missing);
    }

    /// <summary>A job's block without the signing lines the batch printed once already.</summary>
    private static IEnumerable<OutputLine> WithoutPreamble(List<OutputLine> block, List<OutputLine> preamble)
    {
        var texts = preamble.Select(p => (p.Stream, p.Text)).ToList();
        for (var i = 0; texts.Count > 0 && i + texts.Count <= block.Count; i++)
        {
            if (block.Skip(i).Take(texts.Count).Select(b => (b.Stream, b.Text)).SequenceEqual(texts))
            {
                return block.Take(i).Concat(block.Skip(i + texts.Count));
            }
        }

        return block;
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
internal sealed record BatchResult(int ExitCode, IReadOnlyList<string> Failed);

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
