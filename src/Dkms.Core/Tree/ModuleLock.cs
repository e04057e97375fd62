using System.Runtime.InteropServices;
using Dkms.Core.Platform;
using Microsoft.Win32.SafeHandles;

namespace Dkms.Core.Tree;

/// <summary>
/// An exclusive <c>flock</c> on <c>&lt;dkms_tree&gt;/.locks/&lt;name&gt;.lock</c>: a second dkmsctl (or the daemon)
/// that wants the same module waits for the first instead of interleaving with it.
/// </summary>
/// <remarks>Lock files are never deleted, so two waiters can never hold locks on different inodes.</remarks>
public sealed class ModuleLock : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);
    private readonly FileStream _stream;

    private ModuleLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock named <paramref name="name"/> (a validated module name), waiting as long as it takes.</summary>
    /// <param name="onWait">Called once when the lock is busy, before waiting.</param>
    public static async Task<ModuleLock> AcquireAsync(string lockDir, string name, Action? onWait = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(lockDir);
        var path = Path.Combine(lockDir, name + ".lock");
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.None,
        });
        try
        {
            var waited = false;
            while (!TryLock(stream.SafeFileHandle))
            {
                if (!waited)
                {
                    onWait?.Invoke();
                    waited = true;
                }

                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }

            return new ModuleLock(stream);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static bool TryLock(SafeFileHandle handle)
    {
        var fd = (int)handle.DangerousGetHandle();
        if (Libc.flock(fd, Libc.LockExclusive | Libc.LockNonBlocking) == 0)
        {
            return true;
        }

        const int EWouldBlock = 11;
        var errno = Marshal.GetLastPInvokeError();
        return errno != EWouldBlock && errno != 4 /* EINTR */
            ? throw new IOException($"flock failed: {Marshal.GetPInvokeErrorMessage(errno)}")
            : false;
    }

    public void Dispose() => _stream.Dispose(); // closing the descriptor releases the flock

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
