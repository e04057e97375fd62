using System.Threading.Channels;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// One job as the daemon holds it: the <see cref="Job"/> message (changed only through <see cref="JobManager"/>),
/// its output lines so far, and the readers following them.
/// </summary>
internal sealed class JobRecord
{
    private readonly Lock _gate = new();
    private readonly Job _job;
    private readonly List<OutputLine>? _lines;
    private readonly List<Channel<OutputLine>> _followers = [];

    /// <param name="job">The job.</param>
    /// <param name="run">The request running it; null for a job loaded from the history.</param>
    public JobRecord(Job job, ActionRun? run)
    {
        _job = job;
        Run = run;
        _lines = run is null ? null : [];
    }

    public string Id => _job.Id;

    /// <summary>The request the job belongs to, while the daemon that ran it is alive.</summary>
    public ActionRun? Run { get; }

    /// <summary>True when the last line kept ended without a newline.</summary>
    public bool MidLine { get; set; }

    /// <summary>The make.log the job's build writes, once a build phase named it.</summary>
    public string? BuildLog { get; set; }

    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return _job.FinishedAt is not null;
            }
        }
    }

    /// <summary>A copy of the job as it is now.</summary>
    public Job Snapshot()
    {
        lock (_gate)
        {
            return _job.Clone();
        }
    }

    /// <summary>Changes the job under its lock and returns a copy of the result.</summary>
    public Job Update(Action<Job> change)
    {
        lock (_gate)
        {
            change(_job);
            return _job.Clone();
        }
    }

    /// <summary>Keeps a line and hands it to every follower.</summary>
    public void AppendLine(OutputLine line)
    {
        lock (_gate)
        {
            _lines?.Add(line);
            foreach (var f in _followers)
            {
                f.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>The lines so far (null when only the persisted log has them) and, unless finished, the lines to come.</summary>
    public (IReadOnlyList<OutputLine>? Lines, ChannelReader<OutputLine>? Live, System.Action Stop) Follow(bool follow)
    {
        lock (_gate)
        {
            var lines = _lines?.ToList();
            if (!follow || _job.FinishedAt is not null)
            {
                return (lines, null, static () => { });
            }

            var channel = Channel.CreateUnbounded<OutputLine>(new UnboundedChannelOptions { SingleReader = true });
            _followers.Add(channel);
            return (lines, channel.Reader, () =>
            {
                lock (_gate)
                {
                    _followers.Remove(channel);
                }
            });
        }
    }

    /// <summary>Ends every follower's stream (the job finished).</summary>
    public void CompleteFollowers()
    {
        lock (_gate)
        {
            foreach (var f in _followers)
            {
                f.Writer.TryComplete();
            }

            _followers.Clear();
        }
    }
}
