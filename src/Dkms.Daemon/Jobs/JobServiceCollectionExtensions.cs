using Dkms.Daemon.Events;
using Dkms.Daemon.Settings;

namespace Dkms.Daemon.Jobs;

internal static class JobServiceCollectionExtensions
{
    /// <summary>The event bus, the job registry and the worker pool.</summary>
    public static IServiceCollection AddJobs(this IServiceCollection services)
    {
        services.AddSingleton<EventBus>();
        services.AddSingleton<JobManager>();
        services.AddSingleton<ActionRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ActionRunner>());
        return services;
    }

    /// <summary>
    /// Loads the job history from <c>&lt;dkms_tree&gt;/.dkmsd/jobs</c> before the socket listens; jobs a killed
    /// daemon left queued or running become interrupted.
    /// </summary>
    public static void LoadJobHistory(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<DaemonContext>().Settings;
        app.Services.GetRequiredService<JobManager>().Load(Path.Combine(settings.DkmsTree, ".dkmsd", "jobs"));
    }
}
