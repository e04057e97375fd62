namespace Dkms.Daemon.Logging;

/// <summary>
/// The registry of log event ids: each feature's <c>XyzLog</c> takes ids from its own range, and an id is never
/// reused or moved once shipped (a journal filter on it would break), as dotnet-monitor's <c>LoggingEventIds</c>.
/// </summary>
/// <remarks>A test reads every <c>[LoggerMessage]</c> of the assembly and checks that its id is unique and in its feature's range.</remarks>
internal static class LogEventIds
{
    /// <summary>The range of each feature, by the namespace (folder) of its log class.</summary>
    public static readonly IReadOnlyDictionary<string, (int First, int Last)> Ranges = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["Dkms.Daemon.Listening"] = (100, 199),
        ["Dkms.Daemon.Systemd"] = (200, 299),
        ["Dkms.Daemon.Authorization"] = (300, 309),
        ["Dkms.Daemon.Grpc"] = (310, 399),
        ["Dkms.Daemon.Jobs"] = (400, 499),
        ["Dkms.Daemon.Automation"] = (500, 599),
        ["Dkms.Daemon.Settings"] = (600, 699),
        ["Dkms.Daemon.DBus"] = (700, 799),
        ["Dkms.Daemon.LiveStatus"] = (800, 899),
    };
}
