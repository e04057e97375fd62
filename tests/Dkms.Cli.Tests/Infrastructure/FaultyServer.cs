using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// A registry address that misbehaves at the transport: every request answered 503, or accepted and never answered; or a
/// fault injector in front of the real registry, whose first connections meet the faults given (a reset, a 503) before it
/// forwards every byte. (Faults in what the registry stores are made on the real registry's disk instead.)
/// </summary>
internal sealed class FaultyServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _held = [];
    private readonly Queue<string> _faults = new();
    private readonly int _forwardPort;

    public FaultyServer(bool answer503)
    {
        _listener.Start();
        _ = Task.Run(() => AcceptAsync(answer503));
    }

    /// <summary>
    /// Forwards to 127.0.0.1:<paramref name="forwardPort"/>, once one connection each has met <paramref name="faults"/> in
    /// order: <c>reset</c> (closed with RST before any answer), <c>503</c> or <c>429</c> (one request answered so, 429 with
    /// <c>Retry-After: 1</c>, then closed).
    /// </summary>
    public FaultyServer(int forwardPort, params string[] faults)
    {
        _forwardPort = forwardPort;
        foreach (var f in faults)
        {
            _faults.Enqueue(f);
        }

        _listener.Start();
        _ = Task.Run(ForwardAcceptAsync);
    }

    /// <summary>How many connections met a fault.</summary>
    public int Faulted { get; private set; }

    private async Task ForwardAcceptAsync()
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

                string? fault;
                lock (_faults)
                {
                    fault = _faults.Count > 0 ? _faults.Dequeue() : null;
                }

                _ = Task.Run(() => fault is null ? ForwardAsync(client) : FaultAsync(client, fault));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task FaultAsync(TcpClient client, string fault)
    {
        Faulted++;
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[8192];
            var seen = new StringBuilder();
            while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    return;
                }

                seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            if (fault == "reset")
            {
                client.Client.LingerState = new LingerOption(true, 0); // RST, not FIN
            }
            else if (fault == "429")
            {
                await stream.WriteAsync("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
            }
            else
            {
                await stream.WriteAsync("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(IPAddress.Loopback, _forwardPort, _stop.Token);
            var a = client.GetStream();
            var b = upstream.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
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
