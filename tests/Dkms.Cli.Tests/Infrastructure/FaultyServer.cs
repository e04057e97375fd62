using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// A registry address that misbehaves at the transport: every request answered 503, or accepted and never answered.
/// (Faults in what the registry stores are made on the real registry's disk instead.)
/// </summary>
internal sealed class FaultyServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];

    public FaultyServer(bool answer503)
    {
        _listener.Start();
        _ = Task.Run(() => AcceptAsync(answer503));
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/dkms";

    private async Task AcceptAsync(bool answer503)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_held)
                {
                    _held.Add(client);
                }

                if (answer503)
                {
                    _ = Task.Run(() => Answer503Async(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task Answer503Async(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var seen = new StringBuilder();
            while (!_stop.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                while (seen.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
                {
                    seen.Remove(0, end + 4);
                    await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            foreach (var c in _held)
            {
                c.Dispose();
            }
        }

        _stop.Dispose();
    }
}
