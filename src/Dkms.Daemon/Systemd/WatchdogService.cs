using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting.Systemd;

namespace Dkms.Daemon.Systemd;

/// <summary>WATCHDOG=1 every WATCHDOG_USEC/2 while the host runs (the hosting library has no watchdog, only the notifier).</summary>
internal sealed class WatchdogService(ISystemdNotifier notifier, TimeProvider time, ILogger<WatchdogService> logger) : BackgroundService
{
    /// <summary>The interval systemd asks for, halved as sd_watchdog_enabled(3) recommends; null when disabled.</summary>
    public static TimeSpan? Interval(string? watchdogUsec, string? watchdogPid, int pid)
    {
        if (!ulong.TryParse(watchdogUsec, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(watchdogPid)
            && (!int.TryParse(watchdogPid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p != pid))
        {
            return null; // meant for another process (e.g. our parent)
        }

        return TimeSpan.FromMicroseconds(usec / 2);
    }

    private static readonly ServiceState Watchdog = new("WATCHDOG=1");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = Interval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
        if (!notifier.IsEnabled || interval is not { } period)
        {
            return;
        }

        SystemdLog.WatchdogEnabled(logger, period);
        using var timer = new PeriodicTimer(period, time);
        do
        {
            try
            {
                notifier.Notify(Watchdog);
            }
            catch (SocketException e)
            {
                SystemdLog.NotifyFailed(logger, "WATCHDOG=1", e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
