using System.Globalization;

namespace Dkms.Daemon.Settings;

/// <summary>sd_listen_fds(3)'s test: systemd passed sockets to this very process.</summary>
internal static class SocketActivation
{
    public static bool IsActive() => IsActive(Environment.GetEnvironmentVariable("LISTEN_PID"),
        Environment.GetEnvironmentVariable("LISTEN_FDS"), Environment.ProcessId);

    public static bool IsActive(string? listenPid, string? listenFds, int pid) =>
        int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p == pid
        && int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0;
}
