using System.Net.Sockets;
using Dkms.Daemon.Authorization;
using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Listening;

/// <summary>Kestrel on one Unix socket, HTTP/2 only: the socket systemd passed, or our own at <see cref="DaemonOptions.Socket"/>.</summary>
internal static class UnixSocketListening
{
    /// <summary>Reads are open to every local user; each mutating call is authorised by its peer credentials.</summary>
    public const UnixFileMode SocketMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead
        | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary><see cref="SocketMode"/> as chmod writes it.</summary>
    public const string SocketModeText = "0666";

    public static IServiceCollection AddUnixSocketListener(this IServiceCollection services)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<DaemonOptions>, DaemonContext, ILoggerFactory>((kestrel, options, daemon, logs) =>
        {
            var logger = logs.CreateLogger(typeof(UnixSocketListening).FullName!);
            kestrel.AddServerHeader = false;
            if (daemon.SocketActivated)
            {
                // LISTEN_FDS: the socket unit owns the path and its mode.
                kestrel.UseSystemd(Configure); // reads LISTEN_PID/LISTEN_FDS now, before Seal clears them
                ListenFds.Seal();
                ListeningLog.SocketActivated(logger);
            }
            else
            {
                PrepareSocketPath(options.Value.Socket, logger);
                kestrel.ListenUnixSocket(options.Value.Socket, Configure);
            }
        });
        services.AddHostedService<SocketModeService>();
        return services;
    }

    private static void Configure(ListenOptions listen)
    {
        listen.Protocols = HttpProtocols.Http2; // h2c with prior knowledge: no TLS, no HTTP/1.1 upgrade
        listen.Use(next => connection =>
        {
            // Once per connection; the credentials are the peer's at connect() time.
            var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
            connection.Features.Set<IPeerCredentialsFeature>(new PeerCredentialsFeature(socket is null ? null : PeerCredentials.Get(socket)));
            return next(connection);
        });
    }

    /// <summary>
    /// Creates the socket's directory and removes a stale socket file (Kestrel would fail with AddressInUse),
    /// but refuses to start when another daemon still answers on it.
    /// </summary>
    private static void PrepareSocketPath(string path, ILogger logger)
    {
        var dir = Path.GetDirectoryName(path);
        if (dir is not null && !Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        if (!File.Exists(path))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException($"Another process is listening on {path}; not replacing it.");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
            {
                // Nobody listens: a leftover of a daemon that did not shut down cleanly.
            }
        }

        File.Delete(path);
        ListeningLog.StaleSocketRemoved(logger, path);
    }
}
