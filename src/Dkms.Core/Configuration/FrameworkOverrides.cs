namespace Dkms.Core.Configuration;

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

    public bool? SymlinkModules { get; init; }

    public bool? ModprobeOnInstall { get; init; }
}
