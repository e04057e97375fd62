using System.Globalization;
using System.Net.Sockets;
using Dkms.Cli.CommandLine;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Dkms.Protocol.V1;

namespace Dkms.Cli.Remote;

/// <summary>A gRPC channel to dkmsd's Unix socket (HTTP/2 with prior knowledge, as dkmsd listens).</summary>
internal sealed class DaemonConnection : IDisposable
{
    private Stream? _probe;

    private DaemonConnection(string socketPath, Stream? probe = null)
    {
        SocketPath = socketPath;
        _probe = probe;
        Channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            // The first connection is the one that found the daemon: one connect and one accept fewer per command.
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = (_, ct) => Interlocked.Exchange(ref _probe, null) is { } first ? ValueTask.FromResult(first) : ConnectAsync(socketPath, ct),
            },
        });
        Client = new V1.Dkms.DkmsClient(Channel);
    }

    public string SocketPath { get; }

    /// <summary>The words its errors are printed in (the caller's profile).</summary>
    public Core.Output.DkmsMessages Words { get; set; } = Core.Output.DkmsMessages.Default;

    public GrpcChannel Channel { get; }

    public V1.Dkms.DkmsClient Client { get; }

    /// <summary><c>--socket</c>, else <c>$DKMSD_SOCKET</c>, else <see cref="Protocol.DkmsContract.DefaultSocket"/>.</summary>
    public static string SocketPathFor(DkmsArguments args) =>
        args.Socket ?? (Environment.GetEnvironmentVariable("DKMSD_SOCKET") is { Length: > 0 } env ? env : Protocol.DkmsContract.DefaultSocket);

    /// <summary>True for <c>--offline</c> or <c>DKMSCTL_OFFLINE=1</c> (build chroots, test harnesses).</summary>
    public static bool OfflineRequested(DkmsArguments args) =>
        args.Offline || Environment.GetEnvironmentVariable("DKMSCTL_OFFLINE") is "1" or "yes" or "true";

    /// <summary>A connection when something accepts on the socket; otherwise null and why not.</summary>
    public static async Task<(DaemonConnection? Connection, string? Problem)> TryOpenAsync(string socketPath, CancellationToken ct)
    {
        Stream probe;
        try
        {
            probe = await ConnectAsync(socketPath, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return (null, e.SocketErrorCode switch
            {
                SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported when !File.Exists(socketPath) => $"no socket at {socketPath}",
                SocketError.ConnectionRefused => $"nothing answers at {socketPath}",
                SocketError.AccessDenied => $"no permission to connect to {socketPath}",
                _ => $"cannot connect to {socketPath}: {e.Message}",
            });
        }
        catch (IOException e)
        {
            return (null, $"cannot connect to {socketPath}: {e.Message}");
        }

        return (new DaemonConnection(socketPath, probe), null);
    }

    /// <summary>
    /// Waits for a dkmsd that answers on <paramref name="socketPath"/> (a restart: systemd's <c>Restart=</c>, or the
    /// socket unit starting it again), up to <paramref name="timeout"/>; null when none did.
    /// </summary>
    public static async Task<DaemonConnection?> WaitForAsync(string socketPath, TimeSpan timeout, CancellationToken ct)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            var (connection, _) = await TryOpenAsync(socketPath, ct).ConfigureAwait(false);
            if (connection is not null)
            {
                try
                {
                    // Accepting is not answering: with socket activation systemd accepts while dkmsd starts.
                    await connection.Client.GetInfoAsync(new V1.GetInfoRequest(), deadline: end, cancellationToken: ct).ConfigureAwait(false);
                    return connection;
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    connection.Dispose();
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>
    /// True when a failed call means the daemon went away under it (stopped, restarted, killed), not that it
    /// answered with an error.
    /// </summary>
    public static bool IsLostDaemon(RpcException e) =>
        e.StatusCode == StatusCode.Unavailable
        || (e.StatusCode == StatusCode.Internal && e.Status.DebugException is IOException or HttpRequestException or HttpIOException);

    /// <summary>
    /// Prints a failed call the way dkms prints errors (dkmsd's message, its exit code from the
    /// <c>dkms-exit-code</c> trailer) and returns the exit code; transport failures get a plain sentence.
    /// </summary>
    public int Report(RpcException e, TextWriter stderr)
    {
        var exit = 1;
        if (e.Trailers.GetValue("dkms-exit-code") is { } code && int.TryParse(code, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            exit = parsed;
        }

        var lines = e.StatusCode switch
        {
            StatusCode.Unavailable => [$"Lost the connection to dkmsd at {SocketPath}: it stopped or restarted.",
                "Its jobs are listed by 'dkmsctl jobs' once it is back; 'dkmsctl --offline' works without it."],
            StatusCode.Unimplemented => [$"The dkmsd at {SocketPath} does not support this request (an older version?)."],
            _ => e.Status.Detail.Split('\n'),
        };
        var words = Words;
        stderr.Write(e.Trailers.GetValue("dkms-warning") == "1" ? words.WarningText(lines) : words.ErrorText(lines));

        stderr.Flush();
        return exit;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _probe, null)?.Dispose(); // never used: the command needed no call
        Channel.Dispose();
    }

    private static async ValueTask<Stream> ConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
