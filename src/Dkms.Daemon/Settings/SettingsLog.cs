namespace Dkms.Daemon.Settings;

internal static partial class SettingsLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information,
        Message = "Trees: dkms {DkmsTree}, source {SourceTree}, install {InstallTree} (framework.conf {FrameworkConf})")]
    public static partial void SettingsLoaded(ILogger logger, string dkmsTree, string sourceTree, string installTree, string frameworkConf);
}
