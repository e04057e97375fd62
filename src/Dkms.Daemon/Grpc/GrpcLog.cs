using Grpc.Core;

namespace Dkms.Daemon.Grpc;

internal static partial class GrpcLog
{
    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "{Method} failed: {StatusCode}, dkms exit {ExitCode}: {FirstLine}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, int exitCode, string firstLine);

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning,
        Message = "Refused a malformed request to {Method} from uid {Uid}: {Problem} ({Skipped} more since the last line)")]
    public static partial void MalformedRequest(ILogger logger, string method, string uid, string problem, int skipped);
}
