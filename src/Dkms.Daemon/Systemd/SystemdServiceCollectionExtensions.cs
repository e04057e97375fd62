using Microsoft.Extensions.Hosting.Systemd;

namespace Dkms.Daemon.Systemd;

internal static class SystemdServiceCollectionExtensions
{
    /// <summary>sd_notify READY/STOPPING/WATCHDOG whenever NOTIFY_SOCKET is set.</summary>
    /// <remarks>
    /// The package's <see cref="SystemdNotifier"/> sends whenever NOTIFY_SOCKET is set; its <c>AddSystemd()</c> is not used
    /// because its lifetime only engages when the parent process is named systemd, and READY must follow the socket mode.
    /// </remarks>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddHostedService<SystemdNotifyService>();
        services.AddHostedService<WatchdogService>();
        if (Logging.DaemonLogging.ForJournal(Environment.GetEnvironmentVariable))
        {
            // Under systemd nobody presses Ctrl+C: the console lifetime's start-up lines ("Press Ctrl+C to shut down",
            // the content root) only clutter the journal. dkmsd logs its own ready line.
            services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        }

        return services;
    }
}
