namespace Dkms.Core.Platform;

/// <summary>
/// What the engine asks of the machine it runs on, read once per host (<see cref="Host"/>); tests pass their own.
/// </summary>
/// <param name="RunningKernel">The running kernel release (<c>uname -r</c>): what actions default to.</param>
/// <param name="MachineArch">The machine architecture as <c>uname -m</c> names it.</param>
/// <param name="IsRoot">True when the process runs as root.</param>
/// <param name="Distribution">dkms's <c>running_distribution</c>; null when no os-release file exists.</param>
public sealed record SystemFacts(string RunningKernel, string MachineArch, bool IsRoot, string? Distribution)
{
    private static readonly Lazy<SystemFacts> HostFacts = new(() =>
        new SystemFacts(SystemInfo.RunningKernel(), SystemInfo.MachineArch(), SystemInfo.IsRoot(), SystemInfo.Distribution()));

    /// <summary>This machine's facts, read at first use.</summary>
    public static SystemFacts Host => HostFacts.Value;

    /// <summary>Where programs are looked up by name, as <c>command -v</c> does: <c>$PATH</c>.</summary>
    public string SearchPath { get; init; } = System.Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Ubuntu's MOK pair (MOK.priv, MOK.der), made by update-secureboot-policy and enrolled by shim's tools.</summary>
    public string ShimMokDir { get; init; } = "/var/lib/shim-signed/mok";

    /// <summary>Gentoo's portage settings, where <c>MODULES_SIGN_KEY</c> and <c>MODULES_SIGN_CERT</c> may be set.</summary>
    public string PortageMakeConf { get; init; } = "/etc/portage/make.conf";

    /// <summary>Reads one of this process's environment variables by name; tests replace it.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>The EFI variables: Secure Boot's state and the enrolled keys.</summary>
    public string EfiVarsDir { get; init; } = "/sys/firmware/efi/efivars";

    /// <summary>Where procfs is mounted: what <see cref="InChroot"/> reads.</summary>
    public string ProcDir { get; init; } = "/proc";

    /// <summary>True when this process looks chrooted (<see cref="ChrootCheck"/>); read each time it is asked.</summary>
    public bool InChroot() => ChrootCheck.InChroot(ProcDir, IsRoot);

    /// <summary>The executable <paramref name="name"/> on <see cref="SearchPath"/>, or null (<c>command -v</c>).</summary>
    public string? FindProgram(string name) => SearchPath.Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name))
        .FirstOrDefault(Processes.Hooks.IsExecutable);
}
