namespace Dkms.Daemon.Systemd;

internal static class SystemdServiceCollectionExtensions
{
    /// <summary>sd_notify READY/STOPPING/WATCHDOG whenever NOTIFY_SOCKET is set.</summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.AddSingleton<SdNotifier>();
        services.AddHostedService<SystemdNotifyService>();
        services.AddHostedService<WatchdogService>();
        return services;
    }
}
