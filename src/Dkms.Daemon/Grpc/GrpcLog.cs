using Grpc.Core;

namespace Dkms.Daemon.Grpc;

internal static partial class GrpcLog
{
    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "{Method} failed: {StatusCode}, dkms exit {ExitCode}: {FirstLine}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, int exitCode, string firstLine);
}
