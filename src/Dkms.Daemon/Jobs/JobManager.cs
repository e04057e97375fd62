using System.Globalization;
using Dkms.Daemon.Events;
using Dkms.Protocol.V1;
using Google.Protobuf.WellKnownTypes;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// Every job the daemon knows: those of running requests and the persisted history. Each change of a job
/// goes through here once and becomes a saved record, an event on the <see cref="EventBus"/>, a log line
/// and an update on the stream of the request that owns it.
/// </summary>
internal sealed class JobManager(EventBus bus, TimeProvider time, ILogger<JobManager> logger)
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, JobRecord> _jobs = [];
    private JobStore? _store;
    private long _lastId;

    public JobStore Store => _store ?? throw new InvalidOperationException("The job history is not loaded yet.");

    /// <summary>
    /// Loads the history from <paramref name="directory"/>; a job that was queued or running when the daemon
    /// last stopped is marked interrupted (the engine's transactions left its tree state whole).
    /// </summary>
    public void Load(string directory)
    {
        _store = new JobStore(directory, logger);
        var now = Now();
        foreach (var job in _store.LoadAll())
        {
            if (job.FinishedAt is null)
            {
                JobLog.Interrupted(logger, job.Id, job.State.ToString());
                job.State = JobState.Interrupted;
                job.FinishedAt = now;
                foreach (var phase in job.Phases.Where(p => p.FinishedAt is null))
                {
                    phase.FinishedAt = now;
                }

                _store.Save(job);
            }

            var n = JobStore.Number(job.Id);
            _lastId = Math.Max(_lastId, n);
            _jobs[n] = new JobRecord(job, run: null);
        }

        Trim();
    }

    /// <summary>A new queued job of <paramref name="run"/>.</summary>
    public JobRecord Create(ActionRun run, JobKey key)
    {
        var job = new Job
        {
            Action = run.Action,
            Key = key,
            State = JobState.Queued,
            CreatedAt = Now(),
            RequestedBy = run.Caller,
            Request = run.Request,
            RequestId = run.Id,
        };
        job.Phases.Add(new JobPhase { Name = "queued", StartedAt = job.CreatedAt });
        JobRecord record;
        lock (_gate)
        {
            job.Id = (++_lastId).ToString(CultureInfo.InvariantCulture);
            record = new JobRecord(job, run);
            _jobs[_lastId] = record;
        }

        job.LogPath = Store.LogPath(job.Id);
        Changed(record, job.Clone(), e => e.JobQueued = new JobEvent { Job = job.Clone() });
        JobLog.Queued(logger, job.Id, Subject(job));
        return record;
    }

    /// <summary>The job begins (a worker took its request, or the engine reached its kernel).</summary>
    public void Start(JobRecord record, JobKey? key = null)
    {
        var now = Now();
        var changed = false;
        var job = record.Update(j =>
        {
            if (key is not null && !key.Equals(j.Key))
            {
                j.Key = key;
                changed = true;
            }

            if (j.State != JobState.Running)
            {
                j.State = JobState.Running;
                j.StartedAt = now;
                EndPhase(j, now);
                j.Phases.Add(new JobPhase { Name = "running", StartedAt = now });
                changed = true;
            }
        });
        if (!changed)
        {
            return;
        }

        Changed(record, job, e => e.JobStarted = new JobEvent { Job = job });
        JobLog.Started(logger, job.Id, Subject(job));
    }

    /// <summary>A new phase of a running job.</summary>
    public void Phase(JobRecord record, string name, string? buildLog)
    {
        var now = Now();
        if (buildLog is not null)
        {
            record.BuildLog = buildLog;
        }

        var job = record.Update(j =>
        {
            EndPhase(j, now);
            j.Phases.Add(new JobPhase { Name = name, StartedAt = now });
            if (buildLog is not null)
            {
                j.LogPath = buildLog;
            }
        });
        Changed(record, job, e => e.JobPhase = new JobEvent { Job = job });
    }

    /// <summary>The build's content key and whether its modules were built, cached or pulled.</summary>
    public void Artifact(JobRecord record, string contentKey, string origin)
    {
        var job = record.Update(j =>
        {
            j.ContentKey = contentKey;
            j.ArtifactOrigin = origin;
        });
        Changed(record, job, e => e.JobPhase = new JobEvent { Job = job });
    }

    /// <summary>The job ends: its state, dkms's exit code, the first error line and where its full log is.</summary>
    public void Finish(JobRecord record, JobState state, int exitCode, string firstError, string? logPath)
    {
        var now = Now();
        var changed = false;
        var job = record.Update(j =>
        {
            if (j.FinishedAt is not null)
            {
                return;
            }

            changed = true;
            EndPhase(j, now);
            j.State = state;
            j.ExitCode = exitCode;
            j.FirstErrorLine = firstError;
            if (logPath is not null)
            {
                j.LogPath = logPath;
            }

            j.StartedAt ??= now;
            j.FinishedAt = now;
        });
        if (!changed)
        {
            return; // finished before
        }

        Changed(record, job, e => e.JobFinished = new JobEvent { Job = job });
        record.CompleteFollowers();
        if (state == JobState.Failed)
        {
            JobLog.Failed(logger, job.Id, exitCode, Subject(job), firstError, job.LogPath);
        }
        else
        {
            JobLog.Finished(logger, job.Id, JobText(state), exitCode, Subject(job));
        }

        Trim();
    }

    /// <summary>
    /// Keeps output lines with their job, in memory and in the job's log file. Build-log lines that arrive
    /// while the engine's output is in the middle of a line (a step's "make ...") start on a line of their own.
    /// </summary>
    public void AppendLines(JobRecord record, IReadOnlyList<OutputLine> lines)
    {
        var kept = new List<OutputLine>(lines.Count + 1);
        foreach (var line in lines)
        {
            if (line.Stream == OutputStream.BuildLog && record.MidLine)
            {
                kept.Add(new OutputLine { Stream = OutputStream.BuildLog, JobId = record.Id, Time = line.Time });
            }

            record.MidLine = line.NoNewline;
            kept.Add(line);
        }

        foreach (var line in kept)
        {
            record.AppendLine(line);
        }

        Store.AppendLines(record.Id, kept);
    }

    /// <summary>Names what a job worked on once that is known (an <c>add</c> of a source directory).</summary>
    public void SetKey(JobRecord record, JobKey key) => Store.Save(record.Update(j => j.Key = key));

    public JobRecord? Get(string id)
    {
        lock (_gate)
        {
            return _jobs.GetValueOrDefault(JobStore.Number(id)) is { } r && r.Id == id ? r : null;
        }
    }

    /// <summary>Jobs newest first, optionally only some states or one module.</summary>
    public List<Job> List(IReadOnlyCollection<JobState> states, string? module)
    {
        List<JobRecord> all;
        lock (_gate)
        {
            all = [.. _jobs.Values.Reverse()];
        }

        return all.Select(r => r.Snapshot())
            .Where(j => (states.Count == 0 || states.Contains(j.State)) && (string.IsNullOrEmpty(module) || j.Key.Module == module))
            .ToList();
    }

    public static string Subject(Job job)
    {
        var k = job.Key;
        var what = job.Action.ToString().ToLowerInvariant();
        var module = k.Module.Length == 0 ? string.Empty : k.Version.Length == 0 ? $" {k.Module}" : $" {k.Module}/{k.Version}";
        var kernel = k.Kernel.Length == 0 ? string.Empty : $" for {k.Kernel} ({k.Arch})";
        return what + module + kernel;
    }

    public static string JobText(JobState state) => state.ToString().ToLowerInvariant();

    private void Changed(JobRecord record, Job job, Action<Event> fill)
    {
        Store.Save(job);
        var e = new Event();
        fill(e);
        bus.Publish(e);
        record.Run?.JobChanged(job);
    }

    private static void EndPhase(Job j, Timestamp now)
    {
        if (j.Phases.Count > 0 && j.Phases[^1].FinishedAt is null)
        {
            j.Phases[^1].FinishedAt = now;
        }
    }

    /// <summary>Forgets the oldest finished jobs beyond <see cref="JobStore.HistoryLimit"/>, on disk too.</summary>
    private void Trim()
    {
        List<JobRecord> drop;
        lock (_gate)
        {
            var finished = _jobs.Values.Where(r => r.IsFinished).ToList();
            drop = finished.Take(Math.Max(0, finished.Count - JobStore.HistoryLimit)).ToList();
            foreach (var r in drop)
            {
                _jobs.Remove(JobStore.Number(r.Id));
            }
        }

        foreach (var r in drop)
        {
            Store.Delete(r.Id);
        }
    }

    private Timestamp Now() => Timestamp.FromDateTimeOffset(time.GetUtcNow());
}
