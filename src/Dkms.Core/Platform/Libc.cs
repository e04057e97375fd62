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

    [LibraryImport("libc", SetLastError = true)]
    public static partial int unlink([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int statx(int dirFd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, Span<byte> buffer);

    /// <summary>
    /// The (device, inode) of an open descriptor, or of a path when <paramref name="path"/> is given; null
    /// when it cannot be read (the path is gone).
    /// </summary>
    /// <remarks>statx, because its layout is the same on every architecture (stat's is not).</remarks>
    public static (ulong Device, ulong Inode)? FileIdentity(int fd, string? path = null)
    {
        const int AtFdCwd = -100, AtEmptyPath = 0x1000;
        const uint StatxIno = 0x100;
        Span<byte> buffer = stackalloc byte[256]; // struct statx
        var rc = path is null ? statx(fd, string.Empty, AtEmptyPath, StatxIno, buffer) : statx(AtFdCwd, path, 0, StatxIno, buffer);
        if (rc != 0)
        {
            return null;
        }

        var inode = BitConverter.ToUInt64(buffer[32..40]); // stx_ino
        var device = ((ulong)BitConverter.ToUInt32(buffer[136..140]) << 32) | BitConverter.ToUInt32(buffer[140..144]); // stx_dev_major, stx_dev_minor
        return (device, inode);
    }

    /// <summary>The owner, group and permission bits of a path (symbolic links followed); null when it cannot be read.</summary>
    public static (uint Uid, uint Gid, UnixFileMode Mode)? Ownership(string path)
    {
        const int AtFdCwd = -100;
        const uint StatxMode = 0x2, StatxUid = 0x8, StatxGid = 0x10;
        Span<byte> buffer = stackalloc byte[256]; // struct statx
        if (statx(AtFdCwd, path, 0, StatxMode | StatxUid | StatxGid, buffer) != 0)
        {
            return null;
        }

        var uid = BitConverter.ToUInt32(buffer[20..24]); // stx_uid
        var gid = BitConverter.ToUInt32(buffer[24..28]); // stx_gid
        var mode = (UnixFileMode)(BitConverter.ToUInt16(buffer[28..30]) & 0xfff); // stx_mode without the file type
        return (uid, gid, mode);
    }

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
