using Dkms.Core.Actions;
using Dkms.Daemon.Grpc;
using Dkms.Daemon.Settings;
using Dkms.Protocol;
using Dkms.Protocol.V1;
using KernelTarget = Dkms.Core.Actions.KernelTarget;
using StatusEntry = Dkms.Core.Status.StatusEntry;

namespace Dkms.Daemon.LiveStatus;

/// <summary>
/// The one <c>dkms status</c> of the daemon (gRPC Status, D-Bus Status): answered from <see cref="StatusState"/>.
/// An unfiltered answer is kept until the state changes, so a repeated <c>dkms status</c> on a quiet tree costs
/// neither formatting nor conversion again.
/// </summary>
internal sealed class StatusQuery(DaemonContext daemon, StatusState state)
{
    /// <summary>How many distinct unfiltered requests one generation keeps answers for.</summary>
    private const int MaxKeptAnswers = 16;

    private readonly Lock _gate = new();
    private long _keptGeneration = -1;
    private readonly Dictionary<AnswerKey, StatusResponse> _kept = [];

    /// <summary>
    /// The gRPC answer for the filters (with <paramref name="kernels"/> the listing repeats per kernel; a kernel
    /// without an arch matches every arch), carrying what <paramref name="view"/> asks for. With
    /// <paramref name="mayList"/>, only the modules it allows (what the caller could list in the tree itself). The
    /// answer is shared: callers must not change it.
    /// </summary>
    public async Task<StatusResponse> AnswerAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels, StatusView view,
        Func<string?, bool>? mayList, CancellationToken ct)
    {
        var snapshot = await state.SnapshotAsync(module, version, kernels, ct).ConfigureAwait(false);
        var key = mayList is null ? new AnswerKey(module, version, kernels is null ? null : string.Join('\n', kernels), view) : null;
        if (key is not null)
        {
            lock (_gate)
            {
                if (_keptGeneration == snapshot.Generation && _kept.TryGetValue(key, out var kept))
                {
                    return kept;
                }
            }
        }

        var entries = mayList is null ? snapshot.Entries : [.. snapshot.Entries.Where(e => mayList(e.Module))];
        var response = new StatusResponse();
        if (view != StatusView.Entries)
        {
            Print(entries, response.Lines);
        }

        if (view != StatusView.Lines)
        {
            response.Entries.Add(entries.Select(ProtoMapping.ToProto));
        }

        if (key is not null)
        {
            lock (_gate)
            {
                if (snapshot.Generation > _keptGeneration)
                {
                    _keptGeneration = snapshot.Generation;
                    _kept.Clear();
                }

                if (snapshot.Generation == _keptGeneration && _kept.Count < MaxKeptAnswers)
                {
                    _kept[key] = response;
                }
            }
        }

        return response;
    }

    /// <summary>
    /// The entries for the filters, and into <paramref name="lines"/> the same lines, in the same order and streams, as
    /// dkmsctl's in-process status.
    /// </summary>
    public async Task<IReadOnlyList<StatusEntry>> RunAsync(string? module, string? version, IReadOnlyList<KernelTarget>? kernels,
        ICollection<OutputLine> lines, Func<string?, bool>? mayList, CancellationToken ct)
    {
        IReadOnlyList<StatusEntry> entries = await state.StatusAsync(module, version, kernels, ct).ConfigureAwait(false);
        if (mayList is not null)
        {
            entries = [.. entries.Where(e => mayList(e.Module))];
        }

        Print(entries, lines);
        return entries;
    }

    private void Print(IReadOnlyList<StatusEntry> entries, ICollection<OutputLine> lines) =>
        new DkmsEngine(daemon.Settings, OutputCapture.Into(lines, daemon.Settings.Profile.Messages).Output, daemon.ConfCache).PrintStatus(entries);

    private sealed record AnswerKey(string? Module, string? Version, string? Kernels, StatusView View);
}
