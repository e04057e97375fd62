namespace Dkms.Daemon.Listening;

internal static partial class ListeningLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Listening on {Socket} (mode {Mode})")]
    public static partial void Listening(ILogger logger, string socket, string mode);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Removed a stale socket file at {Socket}")]
    public static partial void StaleSocketRemoved(ILogger logger, string socket);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Listening on the socket systemd passed (LISTEN_FDS)")]
    public static partial void SocketActivated(ILogger logger);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "Refusing connections from uid {Uid}: it holds {Open} (all users {Total}); limits apply until it closes some")]
    public static partial void ConnectionRefused(ILogger logger, uint uid, int open, int total);
}
