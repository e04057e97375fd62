namespace Dkms.Daemon.Automation;

internal static partial class AutomationLog
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Kernel {Kernel} settled: exit {ExitCode}, {Failed} module(s) failed")]
    public static partial void Settled(ILogger logger, string kernel, int exitCode, int failed);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Kernel {Kernel} detected (headers at {Headers})")]
    public static partial void KernelDetected(ILogger logger, string kernel, string headers);

    [LoggerMessage(EventId = 502, Level = LogLevel.Information, Message = "Kernel {Kernel} removed: cleaning its dkms entries")]
    public static partial void KernelRemoved(ILogger logger, string kernel);

    [LoggerMessage(EventId = 503, Level = LogLevel.Information, Message = "New module source {Directory}: adding it")]
    public static partial void SourceAppeared(ILogger logger, string directory);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "Reconciling ({Reason})")]
    public static partial void Reconciling(ILogger logger, string reason);

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "Watching {Path} failed ({Reason}); a full rescan follows")]
    public static partial void WatchError(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 506, Level = LogLevel.Warning, Message = "Start-up recovery removed {Count} leftover(s) of interrupted work: {Paths}")]
    public static partial void Recovered(ILogger logger, int count, string paths);

    [LoggerMessage(EventId = 507, Level = LogLevel.Error, Message = "Reconcile failed")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 508, Level = LogLevel.Information, Message = "Cannot watch {Path}: {Reason}; relying on periodic rescans")]
    public static partial void CannotWatch(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 510, Level = LogLevel.Warning, Message = "Cannot watch {Path}: {Reason}; rescanning every {Interval} instead")]
    public static partial void WatchLost(ILogger logger, string path, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 509, Level = LogLevel.Information, Message = "The package manager holds its lock in {AdminDir}: automatic work waits until it finishes")]
    public static partial void WaitingForDpkg(ILogger logger, string adminDir);
}
