using Dkms.Core.Compat;

namespace Dkms.Core.Framework;

/// <summary>
/// Everything framework.conf (and its drop-ins, the environment and the command line) decides:
/// the trees, parallelism, signing material and the limits dkmsd adds.
/// </summary>
public sealed record DkmsSettings
{
    public const string DefaultDkmsTree = "/var/lib/dkms";
    public const string DefaultSourceTree = "/usr/src";
    public const string DefaultInstallTree = "/lib/modules";
    public const string DefaultFrameworkConf = "/etc/dkms/framework.conf";
    public const string DefaultXzOptions = "--check=crc32 --lzma2=dict=1MiB";
    public const string DefaultZstdOptions = "-q --rm -T0";

    /// <summary>The default time a build step (make, patch, a script) may run: two hours.</summary>
    public static readonly TimeSpan DefaultBuildTimeout = TimeSpan.FromHours(2);

    public string DkmsTree { get; init; } = DefaultDkmsTree;

    public string SourceTree { get; init; } = DefaultSourceTree;

    public string InstallTree { get; init; } = DefaultInstallTree;

    /// <summary>The framework.conf read; its directory holds framework.conf.d, overrides and no-autoinstall.</summary>
    public string FrameworkConf { get; init; } = DefaultFrameworkConf;

    public string ConfigDir => Path.GetDirectoryName(FrameworkConf) ?? "/etc/dkms";

    public string TmpLocation { get; init; } = "/tmp";

    /// <summary>make's <c>-j</c>; null means unlimited (<c>parallel_jobs=0</c>).</summary>
    public int? ParallelJobs { get; init; } = Environment.ProcessorCount;

    public bool Verbose { get; init; }

    /// <summary><c>--debug</c>: every program run is traced on stderr (<see cref="Processes.TracingProcessRunner"/>).</summary>
    public bool Debug { get; init; }

    public bool SymlinkModules { get; init; }

    public bool AutoinstallAllKernels { get; init; }

    public bool ModprobeOnInstall { get; init; }

    public string? SignFile { get; init; }

    public string? MokSigningKey { get; init; }

    public string? MokCertificate { get; init; }

    public string? PostTransaction { get; init; }

    public string CompressGzipOptions { get; init; } = string.Empty;

    public string CompressXzOptions { get; init; } = DefaultXzOptions;

    public string CompressZstdOptions { get; init; } = DefaultZstdOptions;

    /// <summary>How long one dkms.conf evaluation may take (<c>conf_timeout</c>, seconds).</summary>
    public TimeSpan ConfTimeout { get; init; } = Bash.BashEvaluator.DefaultTimeout;

    /// <summary>How long one build step may take (<c>build_timeout</c>, seconds).</summary>
    public TimeSpan BuildTimeout { get; init; } = DefaultBuildTimeout;

    /// <summary>dkms's <c>running_distribution</c> (e.g. <c>debian</c>).</summary>
    public string Distribution { get; init; } = "debian";

    /// <summary>
    /// framework.conf's <c>build_sandbox</c>: <c>bwrap</c> (package code runs in bubblewrap as the build user) or
    /// <c>none</c> (as root, as dkms does); null chooses bwrap when bubblewrap is installed.
    /// </summary>
    public string? BuildSandbox { get; init; }

    /// <summary>The <c>ADDON_MODULES_DIR</c> destination override, when set.</summary>
    public string? AddonModulesDir { get; init; }

    /// <summary>The dkms release dkmsd behaves as (chosen once: DKMS_COMPAT, dkms_compat, os-release); 3.0 unless loaded.</summary>
    public DkmsProfile Profile { get; init; } = DkmsProfile.V30;

    /// <summary>What chose <see cref="Profile"/>: <c>DKMS_COMPAT</c>, <c>dkms_compat</c>, <c>os-release</c> or <c>default</c>.</summary>
    public string ProfileSource { get; init; } = "default";

    /// <summary>framework.conf's <c>build_environment</c> (3.4): a file whose exports the build gets; null when unset or not in the profile.</summary>
    public string? BuildEnvironment { get; init; }

    /// <summary>
    /// framework.conf's <c>try_sign_modules</c>: <c>true</c>, <c>false</c> or <c>not_in_chroot</c> (the default, also for
    /// any other value); null when unset. Read in every profile, obeyed only by those that have the key (3.4).
    /// </summary>
    public string? TrySignModules { get; init; }

    /// <summary>The fleet's artifact registry (framework.conf's <c>artifact_*</c> keys); null when unset.</summary>
    public Artifacts.ArtifactSettings? Artifacts { get; init; }

    /// <summary>Where finished builds are kept by content key; null is <c>&lt;dkms_tree&gt;/.artifacts</c>.</summary>
    public string? ArtifactCache { get; init; }

    /// <summary>True when the install tree is the system's <c>/lib/modules</c>.</summary>
    public bool IsSystemInstallTree => Path.GetFullPath(InstallTree).TrimEnd('/') == DefaultInstallTree;
}
