namespace Dkms.Daemon.LiveStatus;

internal static partial class LiveStatusLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning,
        Message = "No inotify instance for the status state ({Reason}): status walks the tree on every call and a rescan runs every {Interval}")]
    public static partial void NoInotify(ILogger logger, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning,
        Message = "Cannot watch {Path} ({Reason}): module {Module} is read from the disk on every status call and rescanned every {Interval}")]
    public static partial void WatchLost(ILogger logger, string path, string reason, string module, TimeSpan interval);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "The inotify queue overflowed: a full rescan of the status state follows")]
    public static partial void Overflowed(ILogger logger);

    [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "Refreshing the status state failed; the next status call retries")]
    public static partial void RefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 804, Level = LogLevel.Debug, Message = "Status state: {Count} module(s) recomputed in {Elapsed}")]
    public static partial void Recomputed(ILogger logger, int count, TimeSpan elapsed);
}
