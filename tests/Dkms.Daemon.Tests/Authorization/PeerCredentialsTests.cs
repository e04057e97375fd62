using System.Net.Sockets;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Authorization;

public sealed class PeerCredentialsTests
{
    [Fact]
    public async Task Get_AcceptedUnixConnection_ReturnsThisProcess()
    {
        using var trees = new DaemonTrees();
        var path = Path.Combine(trees.Root, "peer.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(path)).WithTimeout();
        using var accepted = await listener.AcceptAsync().WithTimeout();

        var credentials = PeerCredentials.Get(accepted);

        Assert.NotNull(credentials);
        Assert.Equal(Environment.ProcessId, credentials.Pid);
        Assert.Equal(Ids("Uid:"), credentials.Uid);
        Assert.Equal(Ids("Gid:"), credentials.Gid);
    }

    [Fact]
    public void Get_TcpSocket_ReturnsNull()
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.Null(PeerCredentials.Get(tcp));
    }

    /// <summary>The effective id from /proc/self/status ("Uid:\treal\teffective\t...").</summary>
    private static uint Ids(string field) =>
        uint.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
}
