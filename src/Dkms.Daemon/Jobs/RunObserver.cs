using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Core.Tree;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// Gives the engine's units of work and phases to the command's jobs (a unit to the job of the equal
/// <see cref="CommandUnit"/>), each output line to the job that printed it, and follows the build's make.log
/// while a unit builds.
/// </summary>
internal sealed class RunObserver(ActionRun run, JobManager jobs, DkmsTree tree, TimeProvider time) : IEngineObserver, IDisposable
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _unitJobs = new(StringComparer.Ordinal);
    private JobRecord? _current;
    private BuildLogTail? _tail;

    /// <summary>The job output belongs to now: the unit's, else the request's first.</summary>
    public JobRecord? Current
    {
        get
        {
            lock (_gate)
            {
                return _current ?? run.FirstJob;
            }
        }
    }

    /// <summary>The job of the command's unit equal to this one, else a new job (a unit the engine found as it ran).</summary>
    public void UnitStarted(Core.Actions.ModuleRef unit, Core.Actions.KernelTarget target)
    {
        var key = ProtoMapping.ToProto(CommandUnit.Of(unit, target));
        JobRecord? record;
        lock (_gate)
        {
            record = run.Jobs.FirstOrDefault(j => !j.IsFinished && !_unitJobs.Contains(j.Id) && j.Snapshot().Key.Equals(key));
        }

        if (record is null)
        {
            record = jobs.Create(run, key);
            run.Add(record);
        }

        jobs.Start(record);
        lock (_gate)
        {
            _unitJobs.Add(record.Id);
            _current = record;
        }
    }

    public void Phase(string name, string? logFile = null)
    {
        var record = Current;
        if (record is null)
        {
            return;
        }

        jobs.Phase(record, name, logFile);
        if (logFile is not null)
        {
            lock (_gate)
            {
                if (_tail?.Path != logFile)
                {
                    _tail?.Dispose();
                    _tail = new BuildLogTail(logFile, record, jobs, time);
                }
            }
        }
    }

    public void Artifact(string contentKey, string origin)
    {
        if (Current is { } record)
        {
            jobs.Artifact(record, contentKey, origin);
        }
    }

    public void UnitFinished(Core.Actions.ModuleRef unit, Core.Actions.KernelTarget target, int exitCode)
    {
        JobRecord? record;
        lock (_gate)
        {
            record = _current;
            _current = null;
            _tail?.Dispose();
            _tail = null;
        }

        if (record is not null)
        {
            FinishJob(record, exitCode, FinalBuildLog(record, unit, target));
        }
    }

    /// <summary>Ends a job with dkms's exit code: 0 succeeded, 77 skipped, a cancelled request cancelled, else failed.</summary>
    public void FinishJob(JobRecord record, int exitCode, string? buildLog)
    {
        var state = exitCode switch
        {
            0 => JobState.Succeeded,
            77 => JobState.Skipped,
            _ when run.IsCancelled => JobState.Cancelled,
            _ => JobState.Failed,
        };
        var firstError = state == JobState.Failed ? FirstError.Find(record, buildLog, jobs.Store) : string.Empty;
        jobs.Finish(record, state, exitCode, firstError, buildLog);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _tail?.Dispose();
            _tail = null;
        }
    }

    /// <summary>Where the unit's make.log is now: published next to the build, or left in the build directory after a failure.</summary>
    private string? FinalBuildLog(JobRecord record, Core.Actions.ModuleRef unit, Core.Actions.KernelTarget target)
    {
        var published = Path.Combine(tree.BuiltLogDir(unit.Module, unit.Version, target.Kernel, target.Arch), "make.log");
        if (record.BuildLog is null)
        {
            return null;
        }

        return File.Exists(record.BuildLog) ? record.BuildLog : File.Exists(published) ? published : record.BuildLog;
    }

    /// <summary>Reads what the build log has gained since the last read, so it comes before the engine's next line.</summary>
    public void CatchUpBuildLog()
    {
        BuildLogTail? tail;
        lock (_gate)
        {
            tail = _tail;
        }

        tail?.Read(final: false);
    }

    /// <summary>Follows a make.log from its first byte, through its rename when the build is published, until disposed.</summary>
    private sealed class BuildLogTail : IDisposable
    {
        private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
        private readonly Lock _gate = new();
        private readonly JobRecord _record;
        private readonly JobManager _jobs;
        private readonly TimeProvider _time;
        private readonly Timer _timer;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly char[] _chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(64 * 1024)];
        private readonly System.Text.Decoder _decoder = System.Text.Encoding.UTF8.GetDecoder();
        private readonly System.Text.StringBuilder _pending = new();
        private FileStream? _stream;
        private long _cutBytes; // of the line being read, beyond ProcessRunner.MaxLineChars
        private bool _closed;

        public BuildLogTail(string path, JobRecord record, JobManager jobs, TimeProvider time)
        {
            Path = path;
            _record = record;
            _jobs = jobs;
            _time = time;
            _timer = new Timer(_ => Read(final: false), null, TimeSpan.Zero, Poll);
        }

        public string Path { get; }

        /// <summary>
        /// Turns new complete lines (all of them when <paramref name="final"/>) into the job's build-log lines. What
        /// is held between reads is at most a megabyte of lines and one line cut at <see cref="Core.Processes.ProcessRunner.MaxLineChars"/>.
        /// </summary>
        public void Read(bool final)
        {
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }

                try
                {
                    if (_stream is null && File.Exists(Path))
                    {
                        _stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                    }

                    int n;
                    while (_stream is not null && (n = _stream.Read(_buffer)) > 0)
                    {
                        var count = _decoder.GetChars(_buffer, 0, n, _chars, 0);
                        Take(_chars.AsSpan(0, count));
                        if (_pending.Length > 1024 * 1024)
                        {
                            Emit(final: false); // a long log goes on in pieces rather than as one string
                        }
                    }
                }
                catch (IOException)
                {
                    // the log went away; the job's own output still tells what happened
                }

                Emit(final);
            }
        }

        /// <summary>Adds text to what is pending, the line in progress cut at the line limit.</summary>
        private void Take(ReadOnlySpan<char> text)
        {
            var max = Core.Processes.ProcessRunner.MaxLineChars;
            while (text.Length > 0)
            {
                var nl = text.IndexOf('\n');
                var part = nl < 0 ? text : text[..nl];
                var lineStart = _pending.Length == 0 ? 0 : LastNewline() + 1;
                var room = Math.Max(0, max - (_pending.Length - lineStart));
                _pending.Append(part[..Math.Min(room, part.Length)]);
                if (part.Length > room)
                {
                    _cutBytes += System.Text.Encoding.UTF8.GetByteCount(part[room..]);
                }

                if (nl < 0)
                {
                    return;
                }

                if (_cutBytes > 0)
                {
                    _pending.Append(' ').Append(Core.Processes.ProcessRunner.CutMarker(_cutBytes));
                    _cutBytes = 0;
                }

                _pending.Append('\n');
                text = text[(nl + 1)..];
            }
        }

        private int LastNewline()
        {
            for (var i = _pending.Length - 1; i >= 0; i--)
            {
                if (_pending[i] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        private void Emit(bool final)
        {
            if (final && _cutBytes > 0)
            {
                _pending.Append(' ').Append(Core.Processes.ProcessRunner.CutMarker(_cutBytes));
                _cutBytes = 0;
            }

            var end = final ? _pending.Length : LastNewline() + 1;
            if (end <= 0)
            {
                return;
            }

            var now = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
            var lines = _pending.ToString(0, end).TrimEnd('\n').Split('\n')
                .Select(l => new OutputLine { Stream = OutputStream.BuildLog, Text = l, JobId = _record.Id, Time = now })
                .ToList();
            _pending.Remove(0, end);
            _jobs.AppendLines(_record, lines);
        }

        public void Dispose()
        {
            _timer.Dispose();
            Read(final: true);
            lock (_gate)
            {
                _closed = true;
                _stream?.Dispose();
            }
        }
    }
}
