namespace Dkms.Daemon.Health;

internal static class HealthServiceCollectionExtensions
{
    /// <summary>grpc.health.v1 for "" (the whole daemon) and "dkms.v1.Dkms"; both follow <see cref="DaemonHealthCheck"/>.</summary>
    /// <remarks>Mapped with the other gRPC services (MapDkmsGrpc); AuthorizationPolicy opens it to every local user.</remarks>
    public static IServiceCollection AddDaemonHealth(this IServiceCollection services)
    {
        services.AddGrpcHealthChecks(o => o.Services.Map(Protocol.V1.Dkms.Descriptor.FullName, _ => true))
            .AddCheck<DaemonHealthCheck>(DaemonHealthCheck.Name);
        return services;
    }
}
