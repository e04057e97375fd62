using System.Buffers.Binary;
using System.Net.Sockets;

namespace Dkms.Daemon.Authorization;

/// <summary>Reads SO_PEERCRED and SO_PEERGROUPS of a connected Unix socket.</summary>
/// <remarks>The values are those of the peer at <c>connect()</c> (or <c>socketpair()</c>) time, so a
/// client that drops privileges afterwards is still judged by what it had.</remarks>
internal static class PeerCredentials
{
    private const int SolSocket = 1;

    // x86-64 and arm64 numbers (asm-generic); other architectures differ.
    private const int SoPeerCred = 17;
    private const int SoPeerGroups = 59;

    /// <summary>NGROUPS_MAX is 65536; a local daemon needs far fewer, and SO_PEERGROUPS reports ERANGE past the buffer.</summary>
    private const int MaxGroups = 1024;

    public static CallerCredentials? Get(Socket socket)
    {
        if (socket.AddressFamily != AddressFamily.Unix)
        {
            return null;
        }

        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        try
        {
            if (socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred) != ucred.Length)
            {
                return null;
            }
        }
        catch (SocketException)
        {
            return null;
        }

        return new CallerCredentials(
            BinaryPrimitives.ReadInt32LittleEndian(ucred),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]),
            Groups(socket));
    }

    private static uint[] Groups(Socket socket)
    {
        var buffer = new byte[MaxGroups * sizeof(uint)];
        int length;
        try
        {
            length = socket.GetRawSocketOption(SolSocket, SoPeerGroups, buffer);
        }
        catch (SocketException)
        {
            return [];
        }

        var groups = new uint[length / sizeof(uint)];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i * sizeof(uint)));
        }

        return groups;
    }
}
