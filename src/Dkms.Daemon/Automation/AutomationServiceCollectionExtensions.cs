using Dkms.Daemon.Settings;

namespace Dkms.Daemon.Automation;

internal static class AutomationServiceCollectionExtensions
{
    /// <summary>Autoinstall batches, the reconciler and the tree watchers (idle with <c>--no-automation</c>).</summary>
    public static IServiceCollection AddAutomation(this IServiceCollection services)
    {
        services.AddSingleton<KernelBatches>();
        services.AddSingleton<Reconciler>();
        services.AddHostedService(sp => sp.GetRequiredService<Reconciler>());
        services.AddSingleton<TreeWatchers>();
        services.AddHostedService(sp => sp.GetRequiredService<TreeWatchers>());
        return services;
    }

    /// <summary>
    /// Cleans what interrupted work left (<see cref="StartupRecovery"/>) before the socket listens and before
    /// any job runs, with or without automation.
    /// </summary>
    public static void RecoverInterruptedWork(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<DaemonContext>().Settings;
        var recovered = StartupRecovery.Run(settings);
        if (recovered.Count > 0)
        {
            AutomationLog.Recovered(app.Logger, recovered.Count, string.Join(", ", recovered));
        }
    }
}
