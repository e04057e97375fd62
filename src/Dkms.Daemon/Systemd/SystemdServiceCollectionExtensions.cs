namespace Dkms.Daemon.Systemd;

internal static class SystemdServiceCollectionExtensions
{
    /// <summary>sd_notify READY/STOPPING/WATCHDOG whenever NOTIFY_SOCKET is set.</summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.AddSingleton<SdNotifier>();
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
