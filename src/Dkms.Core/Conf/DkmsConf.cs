namespace Dkms.Core.Conf;

/// <summary>A dkms.conf evaluated for one kernel and arch, with dkms's defaults applied.</summary>
public sealed record DkmsConf
{
    /// <summary>The file that was read (overrides from the config dir may have changed values).</summary>
    public required string ConfPath { get; init; }

    public required string PackageName { get; init; }

    public required string PackageVersion { get; init; }

    public required IReadOnlyList<ModuleSpec> Modules { get; init; }

    /// <summary>The make command chosen for this kernel (MAKE/MAKE_MATCH, or the kbuild default).</summary>
    public required string MakeCommand { get; init; }

    /// <summary>The clean command run before and after make: CLEAN, or kbuild's <c>clean</c> target.</summary>
    public string CleanCommand { get; init; } = "make clean";

    /// <summary>The PATCH entries that apply to this kernel, in order.</summary>
    public IReadOnlyList<string> Patches { get; init; } = [];

    public string? PreBuild { get; init; }

    public string? PostBuild { get; init; }

    public string? PostAdd { get; init; }

    public string? PreInstall { get; init; }

    public string? PostInstall { get; init; }

    public string? PostRemove { get; init; }

    public bool Autoinstall { get; init; }

    public IReadOnlyList<string> BuildDepends { get; init; } = [];

    public bool BuildDependsRebuild { get; init; }

    public bool NoWeakModules { get; init; }

    public string? ObsoleteBy { get; init; }

    /// <summary>Why BUILD_EXCLUSIVE_* (or OBSOLETE_BY) excludes this kernel/arch; null when it builds.</summary>
    public string? ExcludedBecause { get; init; }

    /// <summary>
    /// The module records BUILD_EXCLUSIVE_*[i] leaves out for this kernel (3.4's per-module exclusion); they are not in
    /// <see cref="Modules"/>, so nothing builds, installs or reports them.
    /// </summary>
    public IReadOnlyList<ModuleSpec> ExcludedModules { get; init; } = [];

    /// <summary>Some BUILD_EXCLUSIVE_* directive is set (for any module), whether or not it excludes this kernel.</summary>
    public bool HasBuildExclusive { get; init; }

    /// <summary>dkms's validation messages (each may hold two lines), in dkms's order.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Deprecated directives that were set, as "NAME (file)".</summary>
    public IReadOnlyList<string> Deprecations { get; init; } = [];

    /// <summary>What the evaluated files printed on stderr.</summary>
    public string Stderr { get; init; } = string.Empty;

    public bool IsValid => Errors.Count == 0;

    public bool IsExcluded => ExcludedBecause is not null;
}
