using System.Globalization;
using Dkms.Protocol.V1;
using Google.Protobuf;

namespace Dkms.Daemon.Jobs;

/// <summary>
/// The persisted job history under <c>&lt;dkms_tree&gt;/.dkmsd/jobs</c>: one <c>&lt;id&gt;.job</c> (the Job message,
/// replaced atomically on every change) and one <c>&lt;id&gt;.log</c> (the job's output, as text)
/// per job. dkms ignores the directory (its globs skip dot names).
/// </summary>
internal sealed class JobStore(string directory, ILogger logger)
{
    /// <summary>How many finished jobs are kept on disk and in memory.</summary>
    public const int HistoryLimit = 500;

    public string Directory { get; } = directory;

    /// <summary>Every job on disk, oldest first; unreadable records are set aside, not fatal.</summary>
    public List<Job> LoadAll()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var jobs = new List<Job>();
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.job"))
        {
            try
            {
                jobs.Add(Job.Parser.ParseFrom(File.ReadAllBytes(file)));
            }
            catch (Exception e) when (e is IOException or InvalidProtocolBufferException or UnauthorizedAccessException)
            {
                JobLog.UnreadableRecord(logger, file, e.Message);
                TryMove(file, file + ".bad");
            }
        }

        foreach (var tmp in System.IO.Directory.EnumerateFiles(Directory, "*.tmp"))
        {
            TryDelete(tmp); // a save cut short by a crash; the previous record is intact
        }

        return [.. jobs.OrderBy(j => Number(j.Id))];
    }

    /// <summary>Writes the record with a temporary file and a rename: a crash leaves the old record or the new one.</summary>
    public void Save(Job job)
    {
        var path = Path.Combine(Directory, job.Id + ".job");
        var tmp = path + ".tmp";
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                job.WriteTo(stream);
                stream.Flush(flushToDisk: job.FinishedAt is not null);
            }

            File.Move(tmp, path, overwrite: true);
            if (job.FinishedAt is not null)
            {
                Core.Platform.Durability.FlushDirectory(Directory); // a finished job's record survives a power loss
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            JobLog.SaveFailed(logger, job.Id, e.Message);
        }
    }

    /// <summary>The job's log: its output and its build's make.log lines, as text (what <c>dkmsctl logs</c> prints).</summary>
    public string LogPath(string id) => Path.Combine(Directory, id + ".log");

    /// <summary>Appends output lines to the job's log file.</summary>
    public void AppendLines(string id, IReadOnlyList<OutputLine> lines)
    {
        try
        {
            using var writer = new StreamWriter(new FileStream(LogPath(id), FileMode.Append, FileAccess.Write, FileShare.Read));
            foreach (var line in lines)
            {
                writer.Write(line.NoNewline ? line.Text : line.Text + "\n");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            JobLog.SaveFailed(logger, id, e.Message);
        }
    }

    /// <summary>The persisted log as lines, read as they are used (empty when the job printed nothing).</summary>
    public IEnumerable<OutputLine> ReadLines(string id) =>
        LogLines.Read(LogPath(id)).Select(l => new OutputLine { Stream = OutputStream.Stdout, Text = l.Text, NoNewline = l.NoNewline, JobId = id });

    public void Delete(string id)
    {
        TryDelete(Path.Combine(Directory, id + ".job"));
        TryDelete(LogPath(id));
    }

    public static long Number(string id) => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }
}
