namespace Dkms.Daemon.DBus;

internal static class DBusServiceCollectionExtensions
{
    /// <summary>dkmsd on the system bus (unless <c>--no-dbus</c>): the exported object and the signal service.</summary>
    public static IServiceCollection AddDBusSignals(this IServiceCollection services)
    {
        services.AddSingleton<DaemonStatusReader>();
        services.AddSingleton<DaemonObject>();
        services.AddHostedService<DBusSignalService>();
        return services;
    }
}
