using System.Runtime.InteropServices;
using Dkms.Core.Platform;

namespace Dkms.Core.Tree;

/// <summary>
/// An exclusive <c>flock</c> on <c>&lt;dkms_tree&gt;/.locks/&lt;name&gt;.lock</c>: a second dkmsctl (or the daemon)
/// that wants the same module waits for the first instead of interleaving with it.
/// </summary>
/// <remarks>Lock files are never deleted, so two waiters can never hold locks on different inodes.
/// The file is opened with open(2), not FileStream, whose own advisory locks would conflict.</remarks>
public sealed class ModuleLock : IDisposable, IAsyncDisposable
{
    private const int ReadWriteCreateCloexec = 0x2 | 0x40 | 0x80000; // O_RDWR | O_CREAT | O_CLOEXEC
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private int _fd;

    private ModuleLock(int fd) => _fd = fd;

    /// <summary>Takes the lock named <paramref name="name"/> (a validated module name), waiting as long as it takes.</summary>
    /// <param name="onWait">Called once when the lock is busy, before waiting.</param>
    public static async Task<ModuleLock> AcquireAsync(string lockDir, string name, Action? onWait = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(lockDir);
        var path = Path.Combine(lockDir, name + ".lock");
        var fd = Libc.OpenWithMode(path, ReadWriteCreateCloexec, Convert.ToUInt32("644", 8));
        if (fd < 0)
        {
            throw new IOException($"Cannot open lock file {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            var waited = false;
            while (!TryLock(fd))
            {
                if (!waited)
                {
                    onWait?.Invoke();
                    waited = true;
                }

                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }

            return new ModuleLock(fd);
        }
        catch
        {
            _ = Libc.close(fd);
            throw;
        }
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

    /// <summary>Closing the descriptor releases the lock.</summary>
    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.close(fd);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
