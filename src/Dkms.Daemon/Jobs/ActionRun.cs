using System.Threading.Channels;
using Dkms.Core.Commands;
using Dkms.Protocol;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// One command while the daemon runs it: its jobs, its cancellation, and the events for the
/// caller's stream (job updates, output lines, then the result).
/// </summary>
internal sealed class ActionRun : IDisposable
{
    /// <summary>The exit code of a request that was cancelled (as a shell reports a SIGINT).</summary>
    public const int CancelledExitCode = 130;

    private readonly CancellationTokenSource _cancel;
    private readonly Channel<ActionEvent> _events = Channel.CreateUnbounded<ActionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<JobRecord> _jobs = [];
    private volatile bool _detached;

    public ActionRun(string id, DkmsCommand command, Caller? caller, CancellationToken stopping)
    {
        Id = id;
        Command = command;
        Request = ProtoMapping.ToProto(command);
        Caller = caller;
        Action = ProtoMapping.ToProto(command.Kind);
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    }

    public string Id { get; }

    public DkmsCommand Command { get; }

    /// <summary>The command as its jobs record it.</summary>
    public ActionRequest Request { get; }

    public Caller? Caller { get; }

    public Dkms.Protocol.V1.Action Action { get; }

    public CancellationToken Token => _cancel.Token;

    /// <summary>Why the request did not run (what it depends on failed); null when it ran.</summary>
    public string? BlockedReason { get; set; }

    public bool IsCancelled => _cancel.IsCancellationRequested;

    /// <summary>Ends when the request has finished and every job has its final state.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>What the caller's stream reads.</summary>
    public ChannelReader<ActionEvent> Events => _events.Reader;

    public IReadOnlyList<JobRecord> Jobs
    {
        get
        {
            lock (_gate)
            {
                return [.. _jobs];
            }
        }
    }

    /// <summary>The job output belongs to when no unit of work is running (the request's first).</summary>
    public JobRecord? FirstJob
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Count > 0 ? _jobs[0] : null;
            }
        }
    }

    public void Add(JobRecord job)
    {
        lock (_gate)
        {
            _jobs.Add(job);
        }
    }

    /// <summary>Stops the request: queued jobs never start, the running build's process group is killed.</summary>
    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // already finished
        }
    }

    /// <summary>True when a <c>remove</c> of the module cancelled this request (see <see cref="Supersede"/>).</summary>
    public bool IsSuperseded { get; private set; }

    /// <summary>A remove of the module won: the request stops as <see cref="Cancel"/> does, and does not count as failed.</summary>
    public void Supersede()
    {
        IsSuperseded = true;
        Cancel();
    }

    /// <summary>The caller went away on purpose (<c>detach</c>): nothing more is buffered for its stream.</summary>
    public void Detach()
    {
        _detached = true;
        _events.Writer.TryComplete();
    }

    public void JobChanged(Job job) => Emit(new ActionEvent { Job = job });

    public void Output(OutputLine line) => Emit(new ActionEvent { Output = line });

    public void Finish(ActionResult result)
    {
        Emit(new ActionEvent { Result = result });
        _events.Writer.TryComplete();
    }

    public void Dispose() => _cancel.Dispose();

    private void Emit(ActionEvent e)
    {
        if (!_detached)
        {
            _events.Writer.TryWrite(e);
        }
    }
}
