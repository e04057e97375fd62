using Dkms.Daemon.Health;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Dkms.Daemon.Tests.Health;

public sealed class DaemonHealthCheckTests
{
    [Fact]
    public async Task CheckHealth_Running_Healthy()
    {
        using var lifetime = new FakeLifetime();

        var result = await new DaemonHealthCheck(lifetime).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
    }

    [Fact]
    public async Task CheckHealth_Stopping_Unhealthy()
    {
        using var lifetime = new FakeLifetime();
        lifetime.StopApplication();

        var result = await new DaemonHealthCheck(lifetime).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    private sealed class FakeLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
