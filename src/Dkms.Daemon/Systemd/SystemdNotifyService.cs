using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace Dkms.Daemon.Systemd;

/// <summary>READY=1 once the socket listens (ApplicationStarted follows Kestrel's start), STOPPING=1 on shutdown.</summary>
internal sealed class SystemdNotifyService(ISystemdNotifier notifier, IHostApplicationLifetime lifetime, ILogger<SystemdNotifyService> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (notifier.IsEnabled)
        {
            lifetime.ApplicationStarted.Register(() => Send(new ServiceState($"READY=1\nSTATUS=Listening\nMAINPID={Environment.ProcessId}")));
            lifetime.ApplicationStopping.Register(() => Send(ServiceState.Stopping));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Send(ServiceState state)
    {
        var first = state.ToString().Split('\n')[0];
        try
        {
            notifier.Notify(state);
            SystemdLog.Notified(logger, first);
        }
        catch (SocketException e)
        {
            SystemdLog.NotifyFailed(logger, first, e);
        }
    }
}
