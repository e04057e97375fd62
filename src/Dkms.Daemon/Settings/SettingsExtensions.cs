using Dkms.Core.Framework;
using Dkms.Core.Platform;
using Dkms.Daemon.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Dkms.Daemon.Settings;

internal static class SettingsExtensions
{
    /// <summary>How long reading framework.conf (a bash child) may take at start.</summary>
    public static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(30);

    public static IServiceCollection AddDaemonContext(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<DaemonContext>();
        return services;
    }

    /// <summary>Reads framework.conf once, with the daemon's tree options over it, before the socket listens.</summary>
    public static async Task LoadDkmsSettingsAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DaemonOptions>>().Value;
        var time = app.Services.GetRequiredService<TimeProvider>();
        using var timeout = new CancellationTokenSource(LoadTimeout);
        var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides
        {
            DkmsTree = options.DkmsTree,
            SourceTree = options.SourceTree,
            InstallTree = options.InstallTree,
            FrameworkConf = options.FrameworkConf,
            OsReleaseRoot = options.OsReleaseRoot,
        }, cancellationToken: timeout.Token).ConfigureAwait(false);
        // The distribution (Ubuntu's signing) comes from the same os-release as the profile: --os-release-root's when given.
        var osRoot = options.OsReleaseRoot ?? "/";
        var distribution = SystemInfo.Distribution(Path.Combine(osRoot, "etc", "os-release"), Path.Combine(osRoot, "usr", "lib", "os-release"));
        settings = settings with { Distribution = distribution ?? settings.Distribution };
        app.Services.GetRequiredService<DaemonContext>().Initialize(settings, time.GetUtcNow());
        SettingsLog.SettingsLoaded(app.Logger, settings.DkmsTree, settings.SourceTree, settings.InstallTree, settings.FrameworkConf);
        SettingsLog.Profile(app.Logger, settings.Profile.Release, settings.Profile.Name, settings.ProfileSource);
        var sandbox = await Core.Sandbox.SandboxChoice.ForAsync(settings).ConfigureAwait(false); // said once, at start
        if (sandbox.Problem is { } problem)
        {
            SettingsLog.SandboxUnavailable(app.Logger, sandbox.ToString(), problem);
        }
        else
        {
            SettingsLog.Sandbox(app.Logger, sandbox.ToString());
        }
    }
}
