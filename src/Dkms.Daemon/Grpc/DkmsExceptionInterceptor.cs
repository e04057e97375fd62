using Dkms.Core.Errors;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Dkms.Daemon.Grpc;

/// <summary>The one place where <see cref="DkmsException"/> becomes a gRPC status (outermost interceptor).</summary>
internal sealed class DkmsExceptionInterceptor(ILogger<DkmsExceptionInterceptor> logger, MalformedRequests malformed) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            throw Map(e, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            throw Map(e, context);
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            throw Map(e, context);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Malformed(e, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (DkmsException e)
        {
            throw Map(e, context);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Malformed(e, context);
        }
    }

    /// <summary>A streamed request message that does not parse (read inside the handler, unlike single messages).</summary>
    private RpcException Malformed(InvalidProtocolBufferException e, ServerCallContext context)
    {
        malformed.Report(context.Method, e.Message.TrimEnd('.'));
        return new RpcException(new Status(StatusCode.InvalidArgument, "Malformed request: " + e.Message));
    }

    private RpcException Map(DkmsException e, ServerCallContext context)
    {
        var mapped = DkmsStatusMapping.ToRpcException(e);
        GrpcLog.CallFailed(logger, context.Method, mapped.StatusCode, e.ExitCode, e.Lines.Count > 0 ? e.Lines[0] : string.Empty);
        return mapped;
    }
}
