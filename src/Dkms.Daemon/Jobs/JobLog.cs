namespace Dkms.Daemon.Jobs;

/// <summary>Job log lines. The journal gets one line per job, when it ends (queued and started are debug detail).</summary>
internal static partial class JobLog
{
    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "Job {JobId} queued: {Subject}")]
    public static partial void Queued(ILogger logger, string jobId, string subject);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "Job {JobId} started: {Subject}")]
    public static partial void Started(ILogger logger, string jobId, string subject);

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "Job {JobId} {State} with exit code {ExitCode}: {Subject}")]
    public static partial void Finished(ILogger logger, string jobId, string state, int exitCode, string subject);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Job {JobId} failed with exit code {ExitCode}: {Subject}: {FirstError} (log: {LogPath})")]
    public static partial void Failed(ILogger logger, string jobId, int exitCode, string subject, string firstError, string logPath);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "Job {JobId} was {State} when dkmsd last stopped; marked interrupted")]
    public static partial void Interrupted(ILogger logger, string jobId, string state);

    [LoggerMessage(EventId = 405, Level = LogLevel.Warning, Message = "Could not read the job record {File}: {Reason}; set aside as .bad")]
    public static partial void UnreadableRecord(ILogger logger, string file, string reason);

    [LoggerMessage(EventId = 406, Level = LogLevel.Error, Message = "Could not save job {JobId}: {Reason}")]
    public static partial void SaveFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 407, Level = LogLevel.Information, Message = "Stopping: cancelling {Count} running or queued request(s)")]
    public static partial void CancellingAtShutdown(ILogger logger, int count);

    [LoggerMessage(EventId = 408, Level = LogLevel.Error, Message = "Request {RequestId} failed unexpectedly")]
    public static partial void RequestCrashed(ILogger logger, Exception exception, string requestId);

    [LoggerMessage(EventId = 409, Level = LogLevel.Information, Message = "Request {RequestId} superseded: its module {Module} is being removed")]
    public static partial void Superseded(ILogger logger, string requestId, string module);
}
