using Dkms.Daemon.Authorization;
using Grpc.Reflection;
using HealthService = Grpc.Health.V1.Health;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using ReflectionV1 = Grpc.Reflection.V1.ServerReflection;
using ReflectionV1Alpha = Grpc.Reflection.V1Alpha.ServerReflection;

namespace Dkms.Daemon.Grpc;

internal static class GrpcServiceCollectionExtensions
{
    /// <summary>The largest request dkmsd reads (gRPC answers RESOURCE_EXHAUSTED beyond it).</summary>
    public const int MaxRequestBytes = 64 * 1024;

    public static IServiceCollection AddDkmsGrpc(this IServiceCollection services)
    {
        services.AddSingleton<DkmsExceptionInterceptor>();
        services.AddSingleton<MalformedRequests>();
        services.AddGrpc(o =>
        {
            // A dkms request names a module and a few kernels: anything near this size is an attack, not a request.
            o.MaxReceiveMessageSize = MaxRequestBytes;
            // Order matters: the first interceptor is the outermost, so authorization refusals
            // (DkmsException PermissionDenied) are mapped to a status with dkms's exit code.
            // Both apply to every service mapped, health and reflection included (AuthorizationPolicy opens those).
            o.Interceptors.Add<DkmsExceptionInterceptor>();
            o.Interceptors.Add<AuthorizationInterceptor>();
        });

        // Server reflection (v1 and v1alpha), so grpcurl and similar tools can list and describe the API. The services
        // are listed, not discovered: Grpc.AspNetCore.Server.Reflection's discovery has an unannotated reflection
        // fallback that Native AOT reports as IL2104 (grpc/grpc-dotnet#2605). Keep this list in step with MapDkmsGrpc.
        // Built on the first reflection call, as Grpc.AspNetCore.Server.Reflection does, not at start.
        services.AddSingleton(_ => new ReflectionV1ServiceImpl(ReflectedServices()));
        services.AddSingleton(_ => new ReflectionServiceImpl(ReflectedServices()));
        return services;
    }

    private static ProtoServiceDescriptor[] ReflectedServices() =>
        [Protocol.V1.Dkms.Descriptor, HealthService.Descriptor, ReflectionV1.Descriptor, ReflectionV1Alpha.Descriptor];
}
