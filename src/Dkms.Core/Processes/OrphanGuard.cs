using System.Globalization;
using Dkms.Core.Platform;

namespace Dkms.Core.Processes;

/// <summary>
/// Records the process group running in a build directory (<c>.dkmsd-running</c>: pid and start time),
/// so that when its owner was killed, the next build stops the orphaned group before reusing the directory.
/// </summary>
/// <remarks>The start time guards against pid reuse: a group is only killed when its leader is the same process.</remarks>
public static class OrphanGuard
{
    /// <summary>The marker file in a build directory while its build runs.</summary>
    public const string MarkerName = ".dkmsd-running";

    public static void Record(string directory, int pid)
    {
        try
        {
            File.WriteAllText(Path.Combine(directory, MarkerName),
                string.Create(CultureInfo.InvariantCulture, $"{pid} {StartTime(pid)}\n"));
        }
        catch (IOException)
        {
            // Best effort: the directory may be gone already.
        }
    }

    public static void Clear(string directory)
    {
        try
        {
            File.Delete(Path.Combine(directory, MarkerName));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Kills the group recorded in <paramref name="directory"/> if its leader still runs; true when it did.</summary>
    public static bool StopStale(string directory)
    {
        var marker = Path.Combine(directory, MarkerName);
        if (!File.Exists(marker))
        {
            return false;
        }

        var parts = File.ReadAllText(marker).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        File.Delete(marker);
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 1)
        {
            return false;
        }

        var start = StartTime(pid);
        if (start is null || start != parts[1])
        {
            return false;
        }

        _ = Libc.kill(-pid, Libc.SigKill);
        for (var i = 0; i < 40 && StartTime(pid) == start; i++)
        {
            Thread.Sleep(50); // SIGKILL is delivered asynchronously; let the leader go before the dir is reused
        }

        return true;
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat (start time in clock ticks since boot), or null.</summary>
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 19 ? fields[19] : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
