using System.Globalization;
using Dkms.Core.Errors;
using Grpc.Core;

namespace Dkms.Daemon.Grpc;

/// <summary>How an engine failure looks at the gRPC edge: a status code plus dkms's exit code in trailers.</summary>
internal static class DkmsStatusMapping
{
    public const string ExitCodeTrailer = "dkms-exit-code";
    public const string ErrorKindTrailer = "dkms-error-kind";
    public const string WarningTrailer = "dkms-warning";

    public static StatusCode ToStatusCode(DkmsErrorKind kind) => kind switch
    {
        DkmsErrorKind.InvalidArgument => StatusCode.InvalidArgument,
        DkmsErrorKind.NotFound => StatusCode.NotFound,
        DkmsErrorKind.AlreadyExists => StatusCode.AlreadyExists,
        DkmsErrorKind.FailedPrecondition => StatusCode.FailedPrecondition,
        DkmsErrorKind.PermissionDenied => StatusCode.PermissionDenied,
        // The daemon runs, but a dkms.conf or framework.conf it was asked to use is unusable.
        DkmsErrorKind.BadConfiguration => StatusCode.FailedPrecondition,
        // The kernel/arch is excluded by the module: the system's state, not the request, is the obstacle.
        DkmsErrorKind.Excluded => StatusCode.FailedPrecondition,
        // make, patch or a script failed: an error from another process, not a daemon bug (Internal).
        DkmsErrorKind.ExternalFailure => StatusCode.Unknown,
        DkmsErrorKind.Cancelled => StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };

    public static RpcException ToRpcException(DkmsException e)
    {
        var trailers = new Metadata
        {
            { ExitCodeTrailer, e.ExitCode.ToString(CultureInfo.InvariantCulture) },
            { ErrorKindTrailer, e.Kind.ToString() },
        };
        if (e.IsWarning)
        {
            trailers.Add(WarningTrailer, "1");
        }

        return new RpcException(new Status(ToStatusCode(e.Kind), string.Join('\n', e.Lines)), trailers);
    }
}
