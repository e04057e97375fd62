using Dkms.Daemon.Options;
using Dkms.Daemon.Settings;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Listening;

/// <summary>Sets the socket's mode once Kestrel has created it, before READY=1 (which follows all StartedAsync).</summary>
internal sealed class SocketModeService(IOptions<DaemonOptions> options, DaemonContext daemon, ILogger<SocketModeService> logger)
    : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!daemon.SocketActivated)
        {
            File.SetUnixFileMode(options.Value.Socket, UnixSocketListening.SocketMode);
            ListeningLog.Listening(logger, options.Value.Socket, UnixSocketListening.SocketModeText);
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
