using System.Globalization;

namespace Dkms.Package.Tests.Infrastructure;

/// <summary>Finds a container's PID 1 from the host: a <c>systemd</c> whose NSpid ends in 1, below the nspawn process.</summary>
internal static class ContainerInit
{
    public static int? Find(int nspawnPid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Status(pid) is not { } status
                || status.GetValueOrDefault("Name") != "systemd"
                || status.GetValueOrDefault("NSpid") is not { } nspid)
            {
                continue;
            }

            var ids = nspid.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length > 1 && ids[^1] == "1" && IsDescendant(pid, nspawnPid))
            {
                return pid;
            }
        }

        return null;
    }

    private static bool IsDescendant(int pid, int ancestor)
    {
        for (var depth = 0; depth < 64 && pid > 1; depth++)
        {
            if (Status(pid)?.GetValueOrDefault("PPid") is not { } ppid
                || !int.TryParse(ppid, NumberStyles.None, CultureInfo.InvariantCulture, out pid))
            {
                return false;
            }

            if (pid == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, string>? Status(int pid)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status")
                .Select(l => l.Split(':', 2))
                .Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1].Trim());
        }
        catch (IOException)
        {
            return null; // the process exited while we looked
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
