using System.Runtime.InteropServices;
using System.Text;

namespace Dkms.Daemon.LiveStatus;

/// <summary>One inotify instance (inotify(7)), read without blocking.</summary>
/// <remarks>
/// Hand-written rather than FileSystemWatcher: that takes an instance per watcher, reports IN_Q_OVERFLOW only as a
/// generic error, and cannot be drained on demand, which the status barrier (<see cref="StatusState"/>) needs.
/// </remarks>
internal sealed partial class Inotify : IDisposable
{
    public const uint Modify = 0x2;
    public const uint Attrib = 0x4;
    public const uint CloseWrite = 0x8;
    public const uint MovedFrom = 0x40;
    public const uint MovedTo = 0x80;
    public const uint Create = 0x100;
    public const uint Delete = 0x200;
    public const uint DeleteSelf = 0x400;
    public const uint MoveSelf = 0x800;
    public const uint Overflow = 0x4000;
    public const uint Ignored = 0x8000;
    public const uint OnlyDir = 0x01000000;

    /// <summary>What a watched directory reports: its entries coming, going or rewritten, and itself going.</summary>
    public const uint DirectoryChanges = Create | Delete | MovedFrom | MovedTo | CloseWrite | Attrib | DeleteSelf | MoveSelf | OnlyDir;

    private const int NonBlock = 0x800;
    private const int CloseOnExec = 0x80000;
    private const short PollIn = 1;
    private const int EIntr = 4;

    private readonly Lock _readGate = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _fd;

    private Inotify(int fd) => _fd = fd;

    /// <summary>A new instance, or null with the errno (EMFILE: no instance left for this user).</summary>
    public static Inotify? TryCreate(out int errno)
    {
        var fd = inotify_init1(NonBlock | CloseOnExec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new Inotify(fd);
    }

    /// <summary>Watches a directory: the watch descriptor (the same for the same inode), or -errno (ENOSPC: no watch left).</summary>
    public int Add(string path, uint mask)
    {
        var wd = inotify_add_watch(_fd, path, mask);
        return wd >= 0 ? wd : -Marshal.GetLastPInvokeError();
    }

    public void Remove(int wd) => _ = inotify_rm_watch(_fd, wd);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for events; true when some are queued.</summary>
    public bool Wait(int timeoutMs)
    {
        var p = new PollFd { Fd = _fd, Events = PollIn };
        return poll(ref p, 1, timeoutMs) > 0 && (p.Revents & PollIn) != 0;
    }

    /// <summary>Reads every queued event into <paramref name="into"/>; the count read.</summary>
    public int Drain(List<InotifyEvent> into)
    {
        var count = 0;
        lock (_readGate)
        {
            while (_fd >= 0)
            {
                var n = (int)read(_fd, _buffer, (nuint)_buffer.Length);
                if (n <= 0)
                {
                    var errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
                    if (errno == EIntr)
                    {
                        continue;
                    }

                    break; // EAGAIN: the queue is empty
                }

                count += Parse(_buffer.AsSpan(0, n), into);
            }
        }

        return count;
    }

    public void Dispose()
    {
        lock (_readGate)
        {
            if (_fd >= 0)
            {
                _ = close(_fd);
                _fd = -1;
            }
        }
    }

    private static int Parse(ReadOnlySpan<byte> data, List<InotifyEvent> into)
    {
        var count = 0;
        while (data.Length >= 16)
        {
            // struct inotify_event { int wd; uint32_t mask; uint32_t cookie; uint32_t len; char name[len]; }
            var wd = BitConverter.ToInt32(data[..4]);
            var mask = BitConverter.ToUInt32(data[4..8]);
            var len = (int)BitConverter.ToUInt32(data[12..16]);
            var name = data.Slice(16, len);
            var end = name.IndexOf((byte)0);
            into.Add(new InotifyEvent(wd, mask, Encoding.UTF8.GetString(end >= 0 ? name[..end] : name)));
            data = data[(16 + len)..];
            count++;
        }

        return count;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_init1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int inotify_rm_watch(int fd, int wd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, [Out] byte[] buffer, nuint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollFd fds, nuint nfds, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}

/// <summary>One inotify event: the watch it came from, what happened, and the entry's name (empty for the directory itself).</summary>
internal readonly record struct InotifyEvent(int Watch, uint Mask, string Name);
