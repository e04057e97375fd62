using Dkms.Core.Status;

namespace Dkms.Daemon.LiveStatus;

/// <summary>Status entries as <see cref="StatusState"/> held them at <paramref name="Generation"/>.</summary>
internal sealed record StatusSnapshot(long Generation, IReadOnlyList<StatusEntry> Entries);
