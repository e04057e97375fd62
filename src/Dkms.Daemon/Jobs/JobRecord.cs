using System.Threading.Channels;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// One job as the daemon holds it: the <see cref="Job"/> message (changed only through <see cref="JobManager"/>),
/// the latest of its output lines (all of them are in its log file), and the readers following them.
/// </summary>
internal sealed class JobRecord
{
    /// <summary>The most output lines a running job keeps in memory (its log file has every one).</summary>
    public const int MaxLinesInMemory = 4000;

    /// <summary>The most output text a running job keeps in memory, in chars.</summary>
    public const int MaxCharsInMemory = 256 * 1024;

    /// <summary>What a finished job may go on keeping in memory; a longer output is read back from its log file.</summary>
    public const int MaxCharsKeptFinished = 32 * 1024;

    private readonly Lock _gate = new();
    private readonly Job _job;
    private readonly List<Channel<OutputLine>> _followers = [];
    private Queue<OutputLine>? _lines;
    private long _chars;
    private long _cutLines;
    private long _cutBytes;

    /// <param name="job">The job.</param>
    /// <param name="run">The request running it; null for a job loaded from the history.</param>
    public JobRecord(Job job, ActionRun? run)
    {
        _job = job;
        Run = run;
        _lines = run is null ? null : new Queue<OutputLine>();
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

    /// <summary>Keeps a line (the oldest go beyond the limits) and hands it to every follower.</summary>
    public void AppendLine(OutputLine line)
    {
        lock (_gate)
        {
            if (_lines is not null)
            {
                _lines.Enqueue(line);
                _chars += line.Text.Length;
                while (_lines.Count > MaxLinesInMemory || (_chars > MaxCharsInMemory && _lines.Count > 1))
                {
                    var old = _lines.Dequeue();
                    _chars -= old.Text.Length;
                    _cutLines++;
                    _cutBytes += System.Text.Encoding.UTF8.GetByteCount(old.Text) + (old.NoNewline ? 0 : 1);
                }
            }

            foreach (var f in _followers)
            {
                f.Writer.TryWrite(line);
            }
        }
    }

    /// <summary>
    /// The lines so far (null when only the persisted log has them) and, unless finished, the lines to come. A running
    /// job that printed more than it keeps starts with a "[… N bytes cut …]" line.
    /// </summary>
    public (IReadOnlyList<OutputLine>? Lines, ChannelReader<OutputLine>? Live, System.Action Stop) Follow(bool follow)
    {
        lock (_gate)
        {
            List<OutputLine>? lines = null;
            if (_lines is not null)
            {
                lines = new List<OutputLine>(_lines.Count + 1);
                if (_cutLines > 0)
                {
                    lines.Add(new OutputLine { Stream = OutputStream.Stdout, Text = Core.Processes.ProcessRunner.CutMarker(_cutBytes), JobId = Id });
                }

                lines.AddRange(_lines);
            }

            if (!follow || _job.FinishedAt is not null)
            {
                return (lines, null, static () => { });
            }

            // A follower that does not read (a `logs --follow` left stopped) holds at most this many lines; it loses the
            // oldest unread ones, as the log file keeps them all.
            var channel = Channel.CreateBounded<OutputLine>(new BoundedChannelOptions(MaxLinesInMemory)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.DropOldest,
            });
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

    /// <summary>Ends every follower's stream (the job finished); a long output is left to the log file from now on.</summary>
    public void CompleteFollowers()
    {
        lock (_gate)
        {
            if (_cutLines > 0 || _chars > MaxCharsKeptFinished)
            {
                _lines = null;
                _chars = 0;
            }

            foreach (var f in _followers)
            {
                f.Writer.TryComplete();
            }

            _followers.Clear();
        }
    }
}
