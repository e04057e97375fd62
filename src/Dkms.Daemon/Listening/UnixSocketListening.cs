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

    /// <summary>How long a connection with no request in flight stays open.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(20);

    /// <summary><see cref="SocketMode"/> as chmod writes it.</summary>
    public const string SocketModeText = "0666";

    public static IServiceCollection AddUnixSocketListener(this IServiceCollection services)
    {
        services.AddSingleton<ConnectionLimits>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<DaemonOptions>, DaemonContext, ILoggerFactory, ConnectionLimits, TimeProvider>(
            (kestrel, options, daemon, logs, limits, time) =>
        {
            var logger = logs.CreateLogger(typeof(UnixSocketListening).FullName!);
            kestrel.AddServerHeader = false;
            // A connection with no request in flight is closed after this (Kestrel's default keeps it 130 s).
            kestrel.Limits.KeepAliveTimeout = IdleTimeout;
            void Configure(ListenOptions listen) => ConfigureListen(listen, limits, time);
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

    private static void ConfigureListen(ListenOptions listen, ConnectionLimits limits, TimeProvider time)
    {
        listen.Protocols = HttpProtocols.Http2; // h2c with prior knowledge: no TLS, no HTTP/1.1 upgrade
        listen.Use(next => async connection =>
        {
            // Once per connection; the credentials are the peer's at connect() time.
            var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
            var peer = socket is null ? null : PeerCredentials.Get(socket);
            if (!limits.TryOpen(peer))
            {
                return; // closed before a byte is read: one user cannot hold every descriptor
            }

            try
            {
                using var silent = FirstBytesWatch.Arm(connection, IdleTimeout, time);
                connection.Features.Set<IPeerCredentialsFeature>(new PeerCredentialsFeature(peer));
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                limits.Close(peer);
            }
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
