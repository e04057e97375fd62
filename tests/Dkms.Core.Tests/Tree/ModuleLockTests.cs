using Dkms.Core.Tree;

namespace Dkms.Core.Tests.Tree;

public sealed class ModuleLockTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    private readonly TempDir _dir = new();

    [Fact]
    public async Task Dispose_LockFileOfTheRun_Removed()
    {
        var held = await ModuleLock.AcquireAsync(_dir.Path, "m").WaitAsync(Bound);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "m.lock")));

        await held.DisposeAsync();

        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task AcquireAsync_LockFileAndNewDirectory_OnlyTheOwnerCanOpenThem()
    {
        // flock works on a read-only descriptor: a lock file another user can open is one that user can hold,
        // stalling root's installs and the kernel hooks (issue: any user stalls root).
        var dir = Path.Combine(_dir.Path, ".locks");

        await using var held = await ModuleLock.AcquireAsync(dir, "m").WaitAsync(Bound);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "m.lock")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
    }

    [Fact]
    public async Task AcquireAsync_ManyContendersWhileFilesAreRemoved_NeverTwoHolders()
    {
        var inside = 0;
        var most = 0;
        var waits = 0;

        async Task ContendAsync()
        {
            for (var i = 0; i < 40; i++)
            {
                await using (await ModuleLock.AcquireAsync(_dir.Path, "m", () => Interlocked.Increment(ref waits)).WaitAsync(Bound))
                {
                    var now = Interlocked.Increment(ref inside);
                    InterlockedMax(ref most, now);
                    await Task.Delay(1);
                    Interlocked.Decrement(ref inside);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(ContendAsync))).WaitAsync(Bound);

        Assert.Equal(1, most);
        Assert.True(waits > 0, "the contenders did wait for each other");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }

    [Fact]
    public async Task TryAcquire_WhileHeld_NullAndFileKept()
    {
        await using var held = await ModuleLock.AcquireAsync(_dir.Path, "m").WaitAsync(Bound);

        Assert.Null(ModuleLock.TryAcquire(_dir.Path, "m"));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "m.lock")));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var prior = Interlocked.CompareExchange(ref target, value, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }

    public void Dispose() => _dir.Dispose();
}
