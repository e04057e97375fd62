namespace Dkms.Daemon.Authorization;

/// <summary>The peer of a Unix socket connection as the kernel reported it at <c>connect()</c>.</summary>
/// <param name="Groups">Supplementary groups (SO_PEERGROUPS); empty when the kernel could not say.</param>
internal sealed record CallerCredentials(int Pid, uint Uid, uint Gid, IReadOnlyList<uint> Groups)
{
    public bool IsRoot => Uid == 0;

    public bool IsInGroup(uint gid) => Gid == gid || Groups.Contains(gid);
}
