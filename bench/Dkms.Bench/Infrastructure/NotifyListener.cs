using System.Net.Sockets;
using System.Text;

namespace Dkms.Bench.Infrastructure;

/// <summary>A NOTIFY_SOCKET stand-in: the datagram socket dkmsd sends READY=1 to.</summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifyListener(string path)
    {
        Path = path;
        File.Delete(path);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>Reads datagrams until one holds <paramref name="state"/>.</summary>
    public async Task WaitForAsync(string state, TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            int n;
            try
            {
                n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {state} on {Path}.");
            }

            if (Encoding.UTF8.GetString(buffer, 0, n).Split('\n').Contains(state))
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
