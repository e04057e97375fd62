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
}
