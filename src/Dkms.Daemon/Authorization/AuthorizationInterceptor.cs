using Dkms.Core.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Dkms.Daemon.Authorization;

/// <summary>Checks every call against <see cref="AuthorizationPolicy"/> before the method runs.</summary>
/// <remarks>Runs inside the exception interceptor, so a refusal reaches the client as PermissionDenied with
/// dkms's message and exit code; it runs before the method, so it wins over Unimplemented.</remarks>
internal sealed class AuthorizationInterceptor(AuthorizationPolicy policy, ILogger<AuthorizationInterceptor> logger) : Interceptor
{
    /// <summary>What dkms prints to a non-root user who tries a root-only action.</summary>
    public static string DeniedMessage => Core.Output.DkmsMessages.Default.NotRoot()[0];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        var caller = CallerAccessor.Get(context);
        if (policy.IsAllowed(caller, context.Method))
        {
            return;
        }

        AuthorizationLog.Denied(logger, context.Method, caller?.Uid, caller?.Pid);
        throw new DkmsException(DkmsErrorKind.PermissionDenied, 1, DeniedMessage);
    }
}
