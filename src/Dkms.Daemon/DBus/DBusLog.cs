namespace Dkms.Daemon.DBus;

internal static partial class DBusLog
{
    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "D-Bus signals are off (--no-dbus)")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "D-Bus: owning {BusName} on the system bus {Address}")]
    public static partial void Connected(ILogger logger, string busName, string address);

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning,
        Message = "D-Bus: no system bus at {Address} ({Reason}); dkmsd works without it, sends no signals and keeps retrying")]
    public static partial void Unavailable(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 703, Level = LogLevel.Debug, Message = "D-Bus: still no system bus ({Reason}); next try in {Delay}")]
    public static partial void RetryFailed(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 704, Level = LogLevel.Warning, Message = "D-Bus: lost the system bus ({Reason}); reconnecting")]
    public static partial void Lost(ILogger logger, string reason);

    [LoggerMessage(EventId = 705, Level = LogLevel.Warning, Message = "D-Bus: {BusName} is owned by another process; retrying")]
    public static partial void NameTaken(ILogger logger, string busName);

    [LoggerMessage(EventId = 706, Level = LogLevel.Warning, Message = "D-Bus: the event stream overflowed; signals after event {Sequence} were skipped until now")]
    public static partial void Overflowed(ILogger logger, ulong sequence);

    [LoggerMessage(EventId = 708, Level = LogLevel.Warning, Message = "D-Bus: {Source} failed (disconnect: {Disconnect})")]
    public static partial void ConnectionException(ILogger logger, string source, bool disconnect, Exception exception);

    [LoggerMessage(EventId = 707, Level = LogLevel.Warning, Message = "D-Bus: {Method} failed")]
    public static partial void MethodFailed(ILogger logger, string method, Exception exception);
}
