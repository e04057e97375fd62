using System.Globalization;
using System.Runtime.InteropServices;

namespace Dkms.Daemon.Listening;

/// <summary>The sockets systemd passed (sd_listen_fds(3)): fds 3 … 3+LISTEN_FDS-1.</summary>
internal static partial class ListenFds
{
    public const int First = 3;

    private const int FSetFd = 2;
    private const int FdCloexec = 1;

    /// <summary>
    /// Marks the passed sockets close-on-exec (systemd hands them over inheritable, and make, gcc or a
    /// dkms.conf script must not hold our listening socket), then removes LISTEN_* from the environment
    /// children inherit, as <c>sd_listen_fds(1)</c> does.
    /// </summary>
    public static void Seal()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("LISTEN_FDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            for (var fd = First; fd < First + count; fd++)
            {
                _ = fcntl(fd, FSetFd, FdCloexec);
            }
        }

        foreach (var name in new[] { "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES" })
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, int arg);
}
