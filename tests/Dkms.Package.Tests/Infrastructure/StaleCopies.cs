namespace Dkms.Package.Tests.Infrastructure;

/// <summary>
/// Removes root copies that a killed test run left behind (its DisposeAsync never ran). A copy is stale when the lock
/// its owner holds for the copy's whole life (NAME.lock, released by the kernel when the owner dies) is free and no
/// process (a systemd-nspawn that outlived its test run) names the copy on its command line.
/// </summary>
internal static class StaleCopies
{
    private static readonly TimeSpan RemoveTimeout = TimeSpan.FromMinutes(5);

    public static async Task SweepAsync(Action<string> log)
    {
        if (!Directory.Exists(RootCopy.Parent))
        {
            return;
        }

        foreach (var dir in Directory.EnumerateDirectories(RootCopy.Parent, "dkt-*"))
        {
            using var owner = FileLock.TryAcquire(dir + ".lock");
            if (owner is null || InUse(dir))
            {
                continue;
            }

            log($"removing the stale root copy {dir}");
            await HostProcess.RunAsync("rm", ["-rf", "--one-file-system", dir], RemoveTimeout).ConfigureAwait(false);
            File.Delete(dir + ".lock");
        }
    }

    private static bool InUse(string dir)
    {
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(proc, "cmdline")).Contains(dir + "/", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process exited while we looked
            }
        }

        return false;
    }
}
