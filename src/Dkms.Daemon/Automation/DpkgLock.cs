using System.Runtime.InteropServices;

namespace Dkms.Daemon.Automation;

/// <summary>
/// Whether the package manager is at work: apt holds <c>lock-frontend</c> for a whole run and dpkg holds
/// <c>lock</c> while it unpacks and configures, both as fcntl record locks. While either is held, a
/// <c>*-dkms</c> package may have unpacked its source tree and not yet run the postinst that adds it, and
/// a kernel package may be half-installed: the daemon's own automatic work waits, so that it never races
/// the maintainer scripts (which call dkms themselves).
/// </summary>
internal static partial class DpkgLock
{
    /// <summary>Debian's dpkg database directory (<c>dpkg --admindir</c>).</summary>
    public const string DefaultAdminDir = "/var/lib/dpkg";

    private const int ReadOnlyCloseOnExec = 0x80000; // O_RDONLY | O_CLOEXEC
    private const int GetLock = 5; // F_GETLK
    private const short WriteLock = 1; // F_WRLCK
    private const short Unlocked = 2; // F_UNLCK

    /// <summary>True while apt or dpkg holds its lock in <paramref name="adminDir"/>; false when there is no dpkg.</summary>
    public static bool IsHeld(string adminDir) =>
        IsHeldAt(Path.Combine(adminDir, "lock-frontend")) || IsHeldAt(Path.Combine(adminDir, "lock"));

    private static bool IsHeldAt(string path)
    {
        var fd = open(path, ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            return false; // no such lock file: no dpkg on this system, or never run
        }

        try
        {
            // F_GETLK asks whether a write lock over the whole file could be placed: the kernel answers with the
            // conflicting lock, if any. It does not take the lock, so it never delays dpkg.
            var query = new FileLockQuery { Type = WriteLock, Whence = 0, Start = 0, Length = 0 };
            return fcntl(fd, GetLock, ref query) == 0 && query.Type != Unlocked;
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary><c>struct flock</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLockQuery
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int cmd, ref FileLockQuery query);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
