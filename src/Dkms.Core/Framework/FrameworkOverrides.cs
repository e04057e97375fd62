namespace Dkms.Core.Framework;

/// <summary>Values from the command line; they win over framework.conf.</summary>
public sealed record FrameworkOverrides
{
    public string? DkmsTree { get; init; }

    public string? SourceTree { get; init; }

    public string? InstallTree { get; init; }

    public string? FrameworkConf { get; init; }

    /// <summary>make's <c>-j</c> from the command line; 0 means unlimited.</summary>
    public int? ParallelJobs { get; init; }

    public bool? Verbose { get; init; }

    /// <summary><c>--debug</c>: trace every program run on stderr.</summary>
    public bool Debug { get; init; }

    public bool? SymlinkModules { get; init; }

    public bool? ModprobeOnInstall { get; init; }

    /// <summary>The root whose <c>etc/os-release</c> (or <c>usr/lib/os-release</c>) decides the default profile; <c>/</c> when null.</summary>
    public string? OsReleaseRoot { get; init; }
}
