namespace Dkms.Daemon.Memory;

internal static class MemoryServiceCollectionExtensions
{
    /// <summary>The idle trim: the heap given back while no job runs.</summary>
    public static IServiceCollection AddIdleTrim(this IServiceCollection services)
    {
        services.AddSingleton<IdleTrim>();
        services.AddHostedService(sp => sp.GetRequiredService<IdleTrim>());
        return services;
    }
}
