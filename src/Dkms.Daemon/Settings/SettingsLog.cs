namespace Dkms.Daemon.Settings;

internal static partial class SettingsLog
{
    [LoggerMessage(EventId = 600, Level = LogLevel.Information,
        Message = "Trees: dkms {DkmsTree}, source {SourceTree}, install {InstallTree} (framework.conf {FrameworkConf})")]
    public static partial void SettingsLoaded(ILogger logger, string dkmsTree, string sourceTree, string installTree, string frameworkConf);

    [LoggerMessage(EventId = 601, Level = LogLevel.Information, Message = "Build sandbox: {Sandbox}")]
    public static partial void Sandbox(ILogger logger, string sandbox);

    [LoggerMessage(EventId = 602, Level = LogLevel.Warning, Message = "Build sandbox: {Sandbox}; builds fail until it can run: {Problem}")]
    public static partial void SandboxUnavailable(ILogger logger, string sandbox, string problem);

    [LoggerMessage(EventId = 603, Level = LogLevel.Information, Message = "Behaves as dkms {Release} (profile {Profile}, chosen by {Source})")]
    public static partial void Profile(ILogger logger, string release, string profile, string source);
}
