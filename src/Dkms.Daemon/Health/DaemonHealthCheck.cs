using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dkms.Daemon.Health;

/// <summary>Healthy while dkmsd runs; unhealthy once it is stopping, so grpc.health.v1 says NOT_SERVING during shutdown.</summary>
/// <remarks>grpc.health.v1 needs at least one check: with none, Grpc.AspNetCore.HealthChecks answers UNKNOWN, not SERVING.</remarks>
internal sealed class DaemonHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public const string Name = "daemon";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("dkmsd is stopping")
            : HealthCheckResult.Healthy());
}
