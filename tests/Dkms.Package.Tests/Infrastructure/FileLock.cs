namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// An exclusive lock between processes: .NET takes <c>flock(LOCK_EX|LOCK_NB)</c> on a file opened with
/// <see cref="FileShare.None"/>, so two test runs on one machine wait for each other instead of both building.
/// </summary>
internal sealed class FileLock : IDisposable
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);

    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(RetryEvery).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The lock if it is free now, else null (without waiting).</summary>
    public static FileLock? TryAcquire(string path)
    {
        try
        {
            return new FileLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
