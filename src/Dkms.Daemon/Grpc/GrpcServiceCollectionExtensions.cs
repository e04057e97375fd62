using Dkms.Daemon.Authorization;

namespace Dkms.Daemon.Grpc;

internal static class GrpcServiceCollectionExtensions
{
    public static IServiceCollection AddDkmsGrpc(this IServiceCollection services)
    {
        services.AddSingleton<DkmsExceptionInterceptor>();
        services.AddGrpc(o =>
        {
            // Order matters: the first interceptor is the outermost, so authorization refusals
            // (DkmsException PermissionDenied) are mapped to a status with dkms's exit code.
            o.Interceptors.Add<DkmsExceptionInterceptor>();
            o.Interceptors.Add<AuthorizationInterceptor>();
        });
        return services;
    }
}
