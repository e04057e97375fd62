using System.Runtime.InteropServices;
using Dkms.Core.Platform;

namespace Dkms.Core.Tree;

/// <summary>
/// An exclusive <c>flock</c> on <c>&lt;dkms_tree&gt;/.locks/&lt;name&gt;.lock</c>: a second dkmsctl (or the daemon)
/// that wants the same module waits for the first instead of interleaving with it.
/// </summary>
/// <remarks>
/// The holder deletes the file when it lets go, so no lock files stay behind. That is safe because every
/// locker checks, once it holds the lock, that the file it locked is still the one at the path: a waiter
/// that was blocked on a file its holder deleted starts again on the path's new file, so two lockers
/// never hold locks on different files at once. The file is opened with open(2), not FileStream, whose
/// own advisory locks would conflict.
/// </remarks>
public sealed class ModuleLock : IDisposable, IAsyncDisposable
{
    private const int ReadWriteCreateCloexec = 0x2 | 0x40 | 0x80000; // O_RDWR | O_CREAT | O_CLOEXEC
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly string _path;
    private int _fd;

    private ModuleLock(int fd, string path)
    {
        _fd = fd;
        _path = path;
    }

    /// <summary>Takes the lock named <paramref name="name"/> (a validated module name), waiting as long as it takes.</summary>
    /// <param name="onWait">Called once when the lock is busy, before waiting.</param>
    public static async Task<ModuleLock> AcquireAsync(string lockDir, string name, Action? onWait = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(lockDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // when new: 0700
        var path = Path.Combine(lockDir, name + ".lock");
        var waited = false;
        while (true)
        {
            var fd = Open(path);
            try
            {
                while (!TryLock(fd))
                {
                    if (!waited)
                    {
                        onWait?.Invoke();
                        waited = true;
                    }

                    await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                _ = Libc.close(fd);
                throw;
            }

            if (Claim(fd, path) is { } held)
            {
                return held;
            }
        }
    }

    /// <summary>Takes the lock if nobody holds it; null when somebody does.</summary>
    public static ModuleLock? TryAcquire(string lockDir, string name)
    {
        var path = Path.Combine(lockDir, name + ".lock");
        while (true)
        {
            var fd = Open(path);
            bool locked;
            try
            {
                locked = TryLock(fd);
            }
            catch
            {
                _ = Libc.close(fd);
                throw;
            }

            if (!locked)
            {
                _ = Libc.close(fd);
                return null;
            }

            if (Claim(fd, path) is { } held)
            {
                return held;
            }
        }
    }

    private static int Open(string path)
    {
        // 0600: flock works on a read-only descriptor, so a lock file others can open is a lock others can hold.
        var fd = Libc.OpenWithMode(path, ReadWriteCreateCloexec, Convert.ToUInt32("600", 8));
        return fd >= 0
            ? fd
            : throw new IOException($"Cannot open lock file {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>The lock, when the locked file is still the one at the path; else closes it (its holder deleted it) and returns null.</summary>
    private static ModuleLock? Claim(int fd, string path)
    {
        var locked = Libc.FileIdentity(fd);
        if (locked is not null && locked == Libc.FileIdentity(-1, path))
        {
            return new ModuleLock(fd, path);
        }

        _ = Libc.close(fd);
        return null;
    }

    private static bool TryLock(int fd)
    {
        if (Libc.flock(fd, Libc.LockExclusive | Libc.LockNonBlocking) == 0)
        {
            return true;
        }

        const int EWouldBlock = 11, EInterrupted = 4;
        var errno = Marshal.GetLastPInvokeError();
        return errno is EWouldBlock or EInterrupted
            ? false
            : throw new IOException($"flock failed: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Deletes the file while still holding the lock, then closes the descriptor, which releases it.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.unlink(_path);
            _ = Libc.close(fd);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
