namespace Dkms.Cli.CommandLine;

/// <summary>A dkms command line, parsed but not yet checked against the action's rules.</summary>
internal sealed class DkmsArguments
{
    public string? Action { get; set; }

    /// <summary>Every action word seen (more than one is exit 4).</summary>
    public List<string> Actions { get; } = [];

    public string? Module { get; set; }

    public string? Version { get; set; }

    /// <summary>A source directory (or the directory of a dkms.conf) given as a positional word.</summary>
    public string? SourcePath { get; set; }

    /// <summary>A positional word naming an existing file that is not a dkms.conf (a tarball).</summary>
    public string? ArchivePath { get; set; }

    public List<string> Kernels { get; } = [];

    /// <summary>Arches from <c>-k k/a</c>, index-aligned with <see cref="Kernels"/> (null when not given).</summary>
    public List<string?> KernelArches { get; } = [];

    public List<string> Arches { get; } = [];

    public List<string> Directives { get; } = [];

    public List<string> Warnings { get; } = [];

    public bool All { get; set; }

    public bool Force { get; set; }

    public bool ForceVersionOverride { get; set; }

    public bool NoDepmod { get; set; }

    public bool Verbose { get; set; }

    /// <summary><c>--debug</c>: trace every program run on stderr.</summary>
    public bool Debug { get; set; }

    public bool Quiet { get; set; }

    public bool Json { get; set; }

    public bool Offline { get; set; }

    public bool Help { get; set; }

    public bool ShowVersion { get; set; }

    public bool BinariesOnly { get; set; }

    public bool SourceOnly { get; set; }

    public bool RpmSafeUpgrade { get; set; }

    public bool SymlinkModules { get; set; }

    public bool ModprobeOnInstall { get; set; }

    public string? ConfFile { get; set; }

    public string? KernelConfig { get; set; }

    public string? KernelSourceDir { get; set; }

    public string? DkmsTree { get; set; }

    public string? SourceTree { get; set; }

    public string? InstallTree { get; set; }

    public string? FrameworkConf { get; set; }

    public string? Archive { get; set; }

    public string? TemplateKernel { get; set; }

    public int? Jobs { get; set; }

    /// <summary><c>--socket PATH</c>: dkmsd's socket (else <c>$DKMSD_SOCKET</c>, else the default).</summary>
    public string? Socket { get; set; }

    /// <summary><c>logs --follow</c>: keep printing until the job ends.</summary>
    public bool Follow { get; set; }

    /// <summary><c>--wait</c>: accepted for the kernel hooks; every action already waits for its jobs.</summary>
    public bool Wait { get; set; }
}
