using System.Runtime.InteropServices;

namespace Dkms.Core.Platform;

/// <summary>Facts about the running system that dkms reads at start-up.</summary>
public static class SystemInfo
{
    /// <summary>The running kernel release (<c>uname -r</c>).</summary>
    public static string RunningKernel()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return Environment.OSVersion.Version.ToString();
        }
    }

    /// <summary>The machine architecture as <c>uname -m</c> names it.</summary>
    public static string MachineArch()
    {
        try
        {
            var arch = File.ReadAllText("/proc/sys/kernel/arch").Trim();
            if (arch.Length > 0)
            {
                return arch;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.X86 => "i686",
            Architecture.Arm64 => "aarch64",
            Architecture.Arm => "armv7l",
            Architecture.RiscV64 => "riscv64",
            Architecture.Ppc64le => "ppc64le",
            Architecture.S390x => "s390x",
            Architecture.LoongArch64 => "loongarch64",
            _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        };
    }

    /// <summary>True when the process runs as root.</summary>
    public static bool IsRoot() => Libc.geteuid() == 0;

    /// <summary>
    /// dkms's <c>running_distribution</c>: <c>ubuntu</c> for Ubuntu, else the whole <c>ID_LIKE</c>,
    /// else <c>ID</c>; null when neither os-release file exists.
    /// </summary>
    public static string? Distribution(string etcOsRelease = "/etc/os-release", string usrOsRelease = "/usr/lib/os-release")
    {
        var path = File.Exists(etcOsRelease) ? etcOsRelease : File.Exists(usrOsRelease) ? usrOsRelease : null;
        if (path is null)
        {
            return null;
        }

        string? id = null, idLike = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var key = line[..eq];
            var value = line[(eq + 1)..].Trim('"', '\'');
            if (key == "ID")
            {
                id = value;
            }
            else if (key == "ID_LIKE")
            {
                idLike = value;
            }
        }

        return id == "ubuntu" ? "ubuntu" : !string.IsNullOrEmpty(idLike) ? idLike : id ?? string.Empty;
    }
}
