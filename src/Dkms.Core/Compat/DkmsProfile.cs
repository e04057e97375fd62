using Dkms.Core.Output;

namespace Dkms.Core.Compat;

/// <summary>
/// Which dkms release dkmsd behaves as: its words (<see cref="Messages"/>), its exit codes and the directives,
/// framework keys and rules it has. Chosen once per host (<see cref="DkmsProfileSelector"/>) and carried by
/// <see cref="Framework.DkmsSettings.Profile"/>; the engine asks it, it never compares version numbers.
/// </summary>
/// <remarks>
/// 3.0 is Debian 12's dkms 3.0.10 (also Ubuntu 24.04's 3.0.11), what dkmsd did before profiles existed: that
/// profile keeps every behaviour unchanged. 3.2 is upstream 3.2.2 (Debian 13); 3.4 is upstream 3.4.3 (Arch, Fedora).
/// </remarks>
public sealed class DkmsProfile
{
    private static readonly string[] Keys30 =
    [
        "source_tree", "dkms_tree", "install_tree", "tmp_location", "verbose", "symlink_modules",
        "autoinstall_all_kernels", "modprobe_on_install", "sign_file", "mok_signing_key", "mok_certificate",
    ];

    private static readonly string[] Keys32 =
        [.. Keys30, "parallel_jobs", "compress_gzip_opts", "compress_xz_opts", "compress_zstd_opts", "post_transaction"];

    private static readonly string[] Keys34 = [.. Keys32, "build_environment", "try_sign_modules"];

    private DkmsProfile(string name, string release, DkmsMessages messages, string[] frameworkKeys)
    {
        Name = name;
        Release = release;
        Messages = messages;
        FrameworkKeys = new HashSet<string>(frameworkKeys, StringComparer.Ordinal);
    }

    /// <summary>Debian 12's dkms 3.0.10 (and 3.0.11): dkmsd's behaviour before profiles.</summary>
    public static DkmsProfile V30 { get; } = new("3.0", "3.0.10", Dkms30Messages.Instance, Keys30);

    /// <summary>Upstream dkms 3.2.2 (Debian 13).</summary>
    public static DkmsProfile V32 { get; } = new("3.2", "3.2.2", Dkms32Messages.Instance, Keys32)
    {
        StatusSuffixOncePerKind = true,
        StatusBuiltNeedsEveryModule = false,
        DepmodNeedsModulesDep = true,
        LlvmStripForClang = true,
        RunsCleanCommand = false,
        HeadersBeforeSigning = true,
        DistributionKeySources = true,
        KernelPreparedAfterBuildChecks = true,
        AbortsInstallWhenNothingInstalled = true,
        ArchivesModuleAtDestination = true,
        BuildScriptsAreLoggedSteps = true,
        RebuildsDependentModules = true,
        ZeroModulesWarnedOnEveryStrictRead = true,
    };

    /// <summary>Upstream dkms 3.4.3 (Arch, Fedora and every other distribution).</summary>
    public static DkmsProfile V34 { get; } = new("3.4", "3.4.3", Dkms34Messages.Instance, Keys34)
    {
        StatusSuffixOncePerKind = true,
        StatusBuiltNeedsEveryModule = false,
        DepmodNeedsModulesDep = true,
        LlvmStripForClang = true,
        RunsCleanCommand = false,
        HeadersBeforeSigning = true,
        DistributionKeySources = true,
        KernelPreparedAfterBuildChecks = true,
        AbortsInstallWhenNothingInstalled = true,
        ArchivesModuleAtDestination = true,
        BuildScriptsAreLoggedSteps = true,
        RebuildsDependentModules = true,
        ZeroModulesWarnedOnEveryStrictRead = true,
        QuietNotInstalledWhenBuildExclusive = true,
        PerModuleBuildExclusive = true,
        ConfigDirOverrides = true,
        DeferredBuildDepends = true,
        ObsoleteByDeprecated = true,
    };

    /// <summary>Every profile, oldest first.</summary>
    public static IReadOnlyList<DkmsProfile> All { get; } = [V30, V32, V34];

    /// <summary>"3.0", "3.2" or "3.4": what <c>dkms_compat</c> and <c>DKMS_COMPAT</c> name.</summary>
    public string Name { get; }

    /// <summary>The dkms release copied (e.g. <c>3.2.2</c>).</summary>
    public string Release { get; }

    /// <summary>What <c>dkms -V</c> prints (e.g. <c>dkms-3.2.2</c>).</summary>
    public string VersionLine => Messages.Version;

    /// <summary>The words of this release.</summary>
    public DkmsMessages Messages { get; }

    /// <summary>
    /// The framework.conf keys this release reads. A key added after 3.0 is read only by the profiles that have it
    /// (build_environment); dkmsd's own keys (build_timeout, …) and the 3.2 keys dkmsd already read before profiles
    /// existed (parallel_jobs, post_transaction, compress_*_opts) are read in every profile, so 3.0 keeps its behaviour.
    /// </summary>
    public IReadOnlySet<string> FrameworkKeys { get; }

    /// <summary>Status prints each of its remarks once (3.1.3's "print messages only once"), not once per module.</summary>
    public bool StatusSuffixOncePerKind { get; private init; }

    /// <summary>
    /// A version is "built" for status only when every dest module is in its module directory (3.0); later releases
    /// call it built when the directory exists and add a remark for the missing ones.
    /// </summary>
    public bool StatusBuiltNeedsEveryModule { get; private init; } = true;

    /// <summary>depmod is skipped when <c>modules.dep</c> is missing (the kernel's image is not unpacked), never creating it.</summary>
    public bool DepmodNeedsModulesDep { get; private init; }

    /// <summary>The clean command (CLEAN, or kbuild's clean) runs before and after make; 3.2+ never runs it.</summary>
    public bool RunsCleanCommand { get; private init; } = true;

    /// <summary>The headers are checked before the signing prologue (3.2's prepare_kernel_and_signing).</summary>
    public bool HeadersBeforeSigning { get; private init; }

    /// <summary>
    /// 3.2's key sources per distribution: on Ubuntu a new shim pair is also queued for enrollment
    /// (<c>update-secureboot-policy --enroll-key</c>); on Gentoo the key is portage's (<c>MODULES_SIGN_KEY</c> and
    /// <c>MODULES_SIGN_CERT</c>, from the environment or <c>/etc/portage/make.conf</c>), else the kernel's own
    /// (<c>CONFIG_MODULE_SIG_KEY</c>, key and certificate in one PEM).
    /// </summary>
    public bool DistributionKeySources { get; private init; }

    /// <summary>
    /// 3.2's prepare_kernel_and_signing: a build checks the headers and prints the signing prologue after the add and its
    /// checks (already built, dkms.conf, BUILD_EXCLUSIVE, an empty source), once per kernel in a run, and the prologue
    /// ends with a blank line; autoinstall prints it only before a module that is not built yet.
    /// </summary>
    public bool KernelPreparedAfterBuildChecks { get; private init; }

    /// <summary>
    /// An install where the version check refused every module fails (exit 6, <c>Installation aborted.</c>) and the
    /// version stays built, as upstream; Debian's 3.0.10 counts it as installed.
    /// </summary>
    public bool AbortsInstallWhenNothingInstalled { get; private init; }

    /// <summary>
    /// The first install of a module on a kernel archives a module of that name found at its destination too (upstream's
    /// archive_pref3: on Debian, another package's copy in updates/dkms), and uninstall puts it back. Debian's 3.0.10
    /// overwrites it.
    /// </summary>
    public bool ArchivesModuleAtDestination { get; private init; }

    /// <summary>
    /// The patches, PRE_BUILD and POST_BUILD are steps like make (<c>Applying patch p... done.</c>), their output in
    /// make.log (started before the patches); 3.0.10 runs them in the foreground, their output on the terminal.
    /// </summary>
    public bool BuildScriptsAreLoggedSteps { get; private init; }

    /// <summary>
    /// BUILD_DEPENDS_REBUILD: a build records its dependencies' versions (<c>.dep_&lt;module&gt;</c>), and an install
    /// rebuilds the modules whose recorded versions no longer match (<c>Rebuilding module … due to updated dependencies</c>).
    /// </summary>
    public bool RebuildsDependentModules { get; private init; }

    /// <summary>uninstall, unbuild and remove say nothing of a kernel the version is not installed on when its dkms.conf has BUILD_EXCLUSIVE directives.</summary>
    public bool QuietNotInstalledWhenBuildExclusive { get; private init; }

    /// <summary>
    /// <c>dkms.conf: Warning! Zero modules specified.</c> on every strict read (add, build, install each say it); 3.0.10
    /// says it once per module/version/kernel in a run, with the other warnings of its cached read.
    /// </summary>
    public bool ZeroModulesWarnedOnEveryStrictRead { get; private init; }

    /// <summary>A module built for a clang-built kernel (CC=clang) is stripped with <c>llvm-strip -g</c>.</summary>
    public bool LlvmStripForClang { get; private init; }

    /// <summary><c>BUILD_EXCLUSIVE_*[i]</c> restricts module i only; the package is skipped when no module is left.</summary>
    public bool PerModuleBuildExclusive { get; private init; }

    /// <summary><c>/etc/dkms/&lt;module&gt;/patches/</c> and <c>/etc/dkms/&lt;module&gt;/&lt;script&gt;</c> override the package's.</summary>
    public bool ConfigDirOverrides { get; private init; }

    /// <summary>autoinstall defers (exit 0) a module whose BUILD_DEPENDS names a module not registered with dkms.</summary>
    public bool DeferredBuildDepends { get; private init; }

    /// <summary>OBSOLETE_BY prints a deprecation (use BUILD_EXCLUSIVE_KERNEL_MAX instead).</summary>
    public bool ObsoleteByDeprecated { get; private init; }

    /// <summary>The profile a <c>dkms_compat</c> / <c>DKMS_COMPAT</c> value names ("3.4", "3.4.3", "dkms-3.4.3"); null when none does.</summary>
    public static DkmsProfile? Find(string? value)
    {
        var v = value?.Trim();
        if (string.IsNullOrEmpty(v))
        {
            return null;
        }

        if (v.StartsWith("dkms-", StringComparison.Ordinal))
        {
            v = v[5..];
        }

        var parts = v.Split('.');
        if (parts.Length is < 2 or > 3 || parts[0] != "3" || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiDigit)))
        {
            return null;
        }

        // Only the three releases copied: 3.1 and 3.3 differ from both neighbours (3.1.0-3.1.2 kept 3.0's status words).
        return parts[1] switch
        {
            "0" => V30,
            "2" => V32,
            "4" => V34,
            _ => null,
        };
    }

    public override string ToString() => $"{Name} (dkms-{Release})";
}
