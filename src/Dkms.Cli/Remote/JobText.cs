using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Cli.Remote;

/// <summary>How dkmsctl prints jobs and events: a table for people, JSON for scripts.</summary>
internal static class JobText
{
    private static readonly string[] Header = ["ID", "STATE", "EXIT", "TIME", "PHASE", "JOB"];

    /// <summary><c>build hello/1.0 for 6.1.0-56-amd64 (x86_64)</c>: what the job works on.</summary>
    public static string Subject(V1.Job job)
    {
        var k = job.Key;
        var text = new StringBuilder(Action(job.Action));
        if (k.Module.Length > 0)
        {
            text.Append(' ').Append(k.Module);
            if (k.Version.Length > 0)
            {
                text.Append('/').Append(k.Version);
            }
        }

        if (k.Kernel.Length > 0)
        {
            text.Append(" for ").Append(k.Kernel).Append(" (").Append(k.Arch).Append(')');
        }

        return text.ToString();
    }

    public static string Action(V1.Action action) => action switch
    {
        V1.Action.Mktarball => "mktarball",
        V1.Action.Ldtarball => "ldtarball",
        V1.Action.GenerateMok => "generate_mok",
        V1.Action.RemoveKernel => "kernel_prerm",
        _ => action.ToString().ToLowerInvariant(),
    };

    public static string State(V1.JobState state) => state.ToString().ToLowerInvariant();

    /// <summary>The table of <c>dkmsctl jobs</c>: newest first, one job per line.</summary>
    public static string Table(IReadOnlyList<V1.Job> jobs, DateTimeOffset now)
    {
        var rows = new List<string[]> { Header };
        foreach (var j in jobs)
        {
            var finished = j.FinishedAt is not null;
            var exit = finished && j.State is not V1.JobState.Interrupted and not V1.JobState.Cancelled
                ? j.ExitCode.ToString(CultureInfo.InvariantCulture) : "-";
            var start = j.StartedAt ?? j.CreatedAt;
            var end = j.FinishedAt?.ToDateTimeOffset() ?? now;
            var time = start is null ? "-" : Duration(end - start.ToDateTimeOffset());
            var phase = j.Phases.Count > 0 ? j.Phases[^1].Name : "-";
            rows.Add([j.Id, State(j.State), exit, time, phase, Subject(j)]);
        }

        var widths = Enumerable.Range(0, 5).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var r in rows)
        {
            for (var c = 0; c < 5; c++)
            {
                text.Append(r[c].PadRight(widths[c] + 2));
            }

            text.Append(r[5]).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One line per event for <c>dkmsctl watch</c>.</summary>
    public static string Event(V1.Event e)
    {
        var time = e.Time?.ToDateTimeOffset().ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "--:--:--";
        var what = e.KindCase switch
        {
            V1.Event.KindOneofCase.JobQueued => $"job {e.JobQueued.Job.Id} queued: {Subject(e.JobQueued.Job)}",
            V1.Event.KindOneofCase.JobStarted => $"job {e.JobStarted.Job.Id} started: {Subject(e.JobStarted.Job)}",
            V1.Event.KindOneofCase.JobPhase => $"job {e.JobPhase.Job.Id} {(e.JobPhase.Job.Phases.Count > 0 ? e.JobPhase.Job.Phases[^1].Name : "phase")}: {Subject(e.JobPhase.Job)}",
            V1.Event.KindOneofCase.JobFinished => Finished(e.JobFinished.Job),
            V1.Event.KindOneofCase.KernelDetected => $"kernel {e.KernelDetected.Kernel.Kernel} detected",
            V1.Event.KindOneofCase.KernelSettled => $"kernel {e.KernelSettled.Kernel.Kernel} settled",
            V1.Event.KindOneofCase.KernelRemoved => $"kernel {e.KernelRemoved.Kernel.Kernel} removed",
            V1.Event.KindOneofCase.ModuleAdded => $"module {e.ModuleAdded.Module.Name}/{e.ModuleAdded.Module.Version} added",
            V1.Event.KindOneofCase.ModuleRemoved => $"module {e.ModuleRemoved.Module.Name}/{e.ModuleRemoved.Module.Version} removed",
            V1.Event.KindOneofCase.SigningAdvice => e.SigningAdvice.Advice,
            _ => "event",
        };
        return $"{time} {what}";
    }

    /// <summary>The jobs as a JSON array (one object per job, snake_case as in the proto).</summary>
    public static string Json(IEnumerable<V1.Job> jobs)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartArray();
            foreach (var j in jobs)
            {
                w.WriteStartObject();
                w.WriteString("id", j.Id);
                w.WriteString("action", Action(j.Action));
                w.WriteString("module", j.Key.Module);
                w.WriteString("version", j.Key.Version);
                w.WriteString("kernel", j.Key.Kernel);
                w.WriteString("arch", j.Key.Arch);
                w.WriteString("state", State(j.State));
                if (j.FinishedAt is not null)
                {
                    w.WriteNumber("exit_code", j.ExitCode);
                }
                else
                {
                    w.WriteNull("exit_code");
                }

                if (j.RequestedBy is { } caller)
                {
                    w.WriteNumber("requested_by", caller.Uid);
                }
                else
                {
                    w.WriteNull("requested_by"); // the daemon's own work (new kernel headers, reconcile)
                }

                w.WriteString("first_error_line", j.FirstErrorLine);
                w.WriteString("log_path", j.LogPath);
                if (j.ContentKey.Length > 0)
                {
                    w.WriteString("content_key", j.ContentKey);
                    w.WriteString("artifact_origin", j.ArtifactOrigin);
                }

                Time(w, "created_at", j.CreatedAt);
                Time(w, "started_at", j.StartedAt);
                Time(w, "finished_at", j.FinishedAt);
                w.WriteStartArray("phases");
                foreach (var p in j.Phases)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    Time(w, "started_at", p.StartedAt);
                    Time(w, "finished_at", p.FinishedAt);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string Finished(V1.Job job)
    {
        var text = $"job {job.Id} {State(job.State)} (exit {job.ExitCode}): {Subject(job)}";
        return job.FirstErrorLine.Length > 0 ? $"{text}\n    {job.FirstErrorLine}\n    log: {job.LogPath}" : text;
    }

    private static void Time(Utf8JsonWriter w, string name, Timestamp? t)
    {
        if (t is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, t.ToDateTimeOffset());
        }
    }

    private static string Duration(TimeSpan d) => d.TotalHours >= 1
        ? $"{(int)d.TotalHours}h{d.Minutes:00}m"
        : d.TotalMinutes >= 1 ? $"{(int)d.TotalMinutes}m{d.Seconds:00}s" : $"{d.TotalSeconds:0.0}s";
}
