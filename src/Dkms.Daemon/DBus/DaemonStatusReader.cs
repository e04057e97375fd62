using Dkms.Core.Actions;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Jobs;
using Dkms.Daemon.Settings;
using Dkms.Protocol;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.DBus;

/// <summary>The read-only answers of the D-Bus object, from the same engine and job registry gRPC uses.</summary>
internal sealed class DaemonStatusReader(DaemonContext daemon, JobManager jobs, TimeProvider time)
{
    private static readonly JobState[] Active = [JobState.Queued, JobState.Running];

    /// <summary><c>dkms status</c>: the structured entries and the exact lines, as the gRPC Status method.</summary>
    public async Task<(IReadOnlyList<Protocol.V1.StatusEntry> Entries, IReadOnlyList<string> Lines)> StatusAsync(CancellationToken ct)
    {
        var lines = new List<OutputLine>();
        var capture = OutputCapture.Into(lines, time);
        var engine = new DkmsEngine(daemon.Settings, capture.Output, daemon.ConfCache);
        var entries = await engine.StatusAsync(null, null, null, ct: ct).ConfigureAwait(false);
        engine.PrintStatus(entries);
        lock (lines)
        {
            return (entries.Select(ProtoMapping.ToProto).ToList(), lines.Select(l => l.Text).ToList());
        }
    }

    /// <summary>Queued and running jobs, oldest first.</summary>
    public IReadOnlyList<Job> ActiveJobs() => jobs.List(Active, module: null).AsEnumerable().Reverse().ToList();
}
