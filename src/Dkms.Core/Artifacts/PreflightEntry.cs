namespace Dkms.Core.Artifacts;

/// <summary>What preflight says of one AUTOINSTALL module for a kernel.</summary>
public enum PreflightVerdict
{
    /// <summary>Installed on the kernel already.</summary>
    Installed,

    /// <summary>A verified build is in this machine's cache (or was just pulled into it): installing runs no make.</summary>
    Cached,

    /// <summary>A dry build succeeded (its result is now in the cache).</summary>
    Buildable,

    /// <summary>BUILD_EXCLUSIVE rules this kernel out: autoinstall skips it.</summary>
    Excluded,

    /// <summary>It would fail: the reason is the detail.</summary>
    Failing,
}

/// <summary>One line of preflight: the module, the verdict, the content key when known, and why.</summary>
/// <param name="Version">Empty for a module installed already (autoinstall names those by module only).</param>
public sealed record PreflightEntry(string Module, string Version, PreflightVerdict Verdict, string? ContentKey, string Detail)
{
    public string VerdictName => Verdict.ToString().ToLowerInvariant();

    public string ToLine() => (Version.Length > 0 ? $"{Module}/{Version}" : Module) + $": {VerdictName}"
        + (ContentKey is null ? string.Empty : $" [key {ContentKey[..16]}]") + (Detail.Length > 0 ? $" ({Detail})" : string.Empty);
}
