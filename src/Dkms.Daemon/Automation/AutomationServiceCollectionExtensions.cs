namespace Dkms.Daemon.Automation;

internal static class AutomationServiceCollectionExtensions
{
    /// <summary>Autoinstall batches, the reconciler and the tree watchers (idle with <c>--no-automation</c>).</summary>
    public static IServiceCollection AddAutomation(this IServiceCollection services)
    {
        services.AddSingleton<AutoinstallBatches>();
        services.AddSingleton<Reconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<Reconciler>());
        services.AddSingleton<TreeWatchers>();
        services.AddHostedService(sp => sp.GetRequiredService<TreeWatchers>());
        return services;
    }
}
