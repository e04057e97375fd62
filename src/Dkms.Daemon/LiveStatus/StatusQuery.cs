using Dkms.Core.Actions;
using Dkms.Core.Status;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Settings;
using OutputLine = Dkms.Protocol.V1.OutputLine;

namespace Dkms.Daemon.LiveStatus;

/// <summary>The one <c>dkms status</c> of the daemon (gRPC Status, D-Bus Status): answered from <see cref="StatusState"/>.</summary>
internal sealed class StatusQuery(DaemonContext daemon, StatusState state, TimeProvider time)
{
    /// <summary>
    /// The entries for the filters (with <paramref name="kernels"/> the listing repeats per kernel; a kernel without an
    /// arch matches every arch), and into <paramref name="lines"/> the same lines, in the same order and streams, as
    /// dkmsctl's in-process status. With <paramref name="mayList"/>, only the modules it allows (what the caller could
    /// list in the tree itself).
    /// </summary>
    public async Task<IReadOnlyList<StatusEntry>> RunAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        ICollection<OutputLine> lines, Func<string?, bool>? mayList, CancellationToken ct)
    {
        IReadOnlyList<StatusEntry> entries = await state.StatusAsync(module, version, kernels, ct).ConfigureAwait(false);
        if (mayList is not null)
        {
            entries = [.. entries.Where(e => mayList(e.Module))];
        }

        new DkmsEngine(daemon.Settings, OutputCapture.Into(lines, time, daemon.Settings.Profile.Messages).Output, daemon.ConfCache).PrintStatus(entries);
        return entries;
    }
}
