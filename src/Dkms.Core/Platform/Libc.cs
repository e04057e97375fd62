using System.Runtime.InteropServices;

namespace Dkms.Core.Platform;

/// <summary>The few libc calls .NET does not expose.</summary>
internal static partial class Libc
{
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    public static partial int OpenWithMode([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    /// <summary>Flushes a directory's entries to disk (after a rename into it).</summary>
    public static void FsyncDirectory(string directory)
    {
        const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY
        var fd = open(directory, ReadOnlyDirectory);
        if (fd >= 0)
        {
            _ = fsync(fd);
            _ = close(fd);
        }
    }

    /// <summary>Renames atomically, replacing <paramref name="to"/> (a file, a link, or an empty directory).</summary>
    public static void RenameOrThrow(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"rename '{from}' -> '{to}' failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }
}
