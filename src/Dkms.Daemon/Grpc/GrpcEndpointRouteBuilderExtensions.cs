using Grpc.Reflection;

namespace Dkms.Daemon.Grpc;

internal static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>dkms.v1.Dkms</c>, <c>grpc.health.v1.Health</c> and server reflection (v1 and v1alpha).</summary>
    public static IEndpointRouteBuilder MapDkmsGrpc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<DkmsGrpcService>();
        endpoints.MapGrpcHealthChecksService();
        endpoints.MapGrpcService<ReflectionV1ServiceImpl>();
        endpoints.MapGrpcService<ReflectionServiceImpl>();
        return endpoints;
    }
}
