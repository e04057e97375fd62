using Dkms.Daemon.Jobs;
using Dkms.Daemon.LiveStatus;
using Dkms.Protocol;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.DBus;

/// <summary>The read-only answers of the D-Bus object, from the same status query and job registry gRPC uses.</summary>
internal sealed class DaemonStatusReader(StatusQuery status, JobManager jobs)
{
    private static readonly JobState[] Active = [JobState.Queued, JobState.Running];

    /// <summary><c>dkms status</c>: the structured entries and the exact lines, as the gRPC Status method.</summary>
    public async Task<(IReadOnlyList<Protocol.V1.StatusEntry> Entries, IReadOnlyList<string> Lines)> StatusAsync(CancellationToken ct)
    {
        var lines = new List<OutputLine>();
        var entries = await status.RunAsync(null, null, null, lines, mayList: null, ct).ConfigureAwait(false);
        lock (lines)
        {
            return (entries.Select(ProtoMapping.ToProto).ToList(), lines.Select(l => l.Text).ToList());
        }
    }

    /// <summary>Queued and running jobs, oldest first.</summary>
    public IReadOnlyList<Job> ActiveJobs() => jobs.List(Active, module: null).AsEnumerable().Reverse().ToList();
}
