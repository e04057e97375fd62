namespace Dkms.Core.Status;

/// <summary>One line of <c>dkms status</c>.</summary>
/// <param name="Kernel">Null for added and broken lines.</param>
/// <param name="Suffixes">The parenthesised remarks after built/installed, without their leading space.</param>
public sealed record StatusEntry(string Module, string Version, string? Kernel, string? Arch, ModuleState State,
    IReadOnlyList<string> Suffixes)
{
    /// <summary>The build's content key (status --json only), when dkmsd built it.</summary>
    public string? ContentKey { get; init; }

    /// <summary>Where the build's modules came from: built, cached or pulled (status --json only).</summary>
    public string? Origin { get; init; }

    /// <summary>The line exactly as Debian's dkms 3.0.10 prints it (plus upstream's broken line).</summary>
    public string ToLine() => State switch
    {
        ModuleState.Added => $"{Module}/{Version}: added",
        ModuleState.Broken => $"{Module}/{Version}: broken",
        _ => $"{Module}/{Version}, {Kernel}, {Arch}: {(State == ModuleState.Built ? "built" : "installed")}"
             + string.Concat(Suffixes.Select(s => " " + s)),
    };

    public static string StateName(ModuleState state) => state switch
    {
        ModuleState.Added => "added",
        ModuleState.Built => "built",
        ModuleState.Installed => "installed",
        _ => "broken",
    };
}
