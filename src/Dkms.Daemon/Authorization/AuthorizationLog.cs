namespace Dkms.Daemon.Authorization;

internal static partial class AuthorizationLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Denied {Method} to uid {Uid} (pid {Pid})")]
    public static partial void Denied(ILogger logger, string method, uint? uid, int? pid);
}
