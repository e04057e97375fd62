using System.Net.Sockets;
using System.Text;

namespace Dkms.Daemon.Tests.Infrastructure;

/// <summary>A NOTIFY_SOCKET stand-in: a datagram socket whose messages the test reads.</summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifyListener(string path)
    {
        Path = path;
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next datagram, or a TimeoutException.</summary>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout ?? TaskTimeouts.Default);
        try
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No notification on {Path}.");
        }
    }

    /// <summary>Reads datagrams until one contains <paramref name="state"/> (e.g. READY=1).</summary>
    public async Task<string> WaitForAsync(string state, TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TaskTimeouts.Default);
        while (true)
        {
            var left = end - DateTime.UtcNow;
            var message = await ReceiveAsync(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            if (message.Split('\n').Contains(state))
            {
                return message;
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}
