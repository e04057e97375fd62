using Grpc.Reflection;

namespace Dkms.Daemon.Grpc;

internal static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>dkms.v1.Dkms</c>, <c>grpc.health.v1.Health</c> and server reflection (v1 and v1alpha).</summary>
    public static WebApplication MapDkmsGrpc(this WebApplication app)
    {
        // Before the gRPC endpoints run (routing has matched them): a request that does not parse never reaches them.
        var malformed = app.Services.GetRequiredService<MalformedRequests>();
        app.Use(malformed.InvokeAsync);
        app.MapGrpcService<DkmsGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ReflectionV1ServiceImpl>();
        app.MapGrpcService<ReflectionServiceImpl>();
        return app;
    }
}
