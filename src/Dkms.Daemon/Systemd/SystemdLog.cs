namespace Dkms.Daemon.Systemd;

internal static partial class SystemdLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Notified systemd: {State}")]
    public static partial void Notified(ILogger logger, string state);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Could not notify systemd ({State})")]
    public static partial void NotifyFailed(ILogger logger, string state, Exception exception);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Watchdog enabled: WATCHDOG=1 every {Interval}")]
    public static partial void WatchdogEnabled(ILogger logger, TimeSpan interval);
}
