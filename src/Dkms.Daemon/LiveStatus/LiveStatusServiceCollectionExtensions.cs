namespace Dkms.Daemon.LiveStatus;

internal static class LiveStatusServiceCollectionExtensions
{
    /// <summary>The status state (inotify on the trees, recomputed by the engine) and the status query over it.</summary>
    public static IServiceCollection AddLiveStatus(this IServiceCollection services)
    {
        services.AddSingleton<StatusState>();
        services.AddHostedService(sp => sp.GetRequiredService<StatusState>());
        services.AddSingleton<StatusQuery>();
        return services;
    }
}
