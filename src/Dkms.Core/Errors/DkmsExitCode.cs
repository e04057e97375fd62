namespace Dkms.Core.Errors;

/// <summary>
/// dkms's exit codes (DKMS-SPEC §12), named by what dkms uses each for; where dkms gives one number two meanings,
/// both names are here.
/// </summary>
public static class DkmsExitCode
{
    public const int Failure = 1;

    /// <summary>A wrong argument, or the thing it names is missing (a source dir, an archive).</summary>
    public const int BadArgument = 2;

    public const int NotInTree = 3;

    /// <summary>Already added, already built there.</summary>
    public const int AlreadyThere = 3;

    public const int Broken = 4;

    /// <summary>The dkms.conf to read does not exist.</summary>
    public const int ConfMissing = 4;

    public const int PatchFailed = 5;

    /// <summary>Install (and tarball making) could not finish: a file, the kernel dir, depmod.</summary>
    public const int InstallFailed = 6;

    /// <summary>Preparing the build directory failed: copying the source, applying a patch.</summary>
    public const int BuildStepFailed = 6;

    /// <summary>A built module is missing, or an archive is not what it should be.</summary>
    public const int BadBuildResult = 7;

    /// <summary>dkms.conf is invalid, or there is no module source to build.</summary>
    public const int BadConf = 8;

    /// <summary>ldtarball of a module already added (dkms's number for it).</summary>
    public const int TarballAlreadyAdded = 8;

    /// <summary>Copying the module's tree (add) failed, or a destination is not writable.</summary>
    public const int CopyFailed = 9;

    /// <summary>make failed or ran past build_timeout.</summary>
    public const int MakeFailed = 10;

    public const int AutoinstallFailed = 11;

    public const int BuildDependsMissing = 13;

    /// <summary>kernel_prerm/kernel_preinst: some module failed.</summary>
    public const int KernelRemoveFailed = 14;

    public const int MissingHeaders = 21;

    /// <summary>BUILD_EXCLUSIVE does not match: skipped, not failed.</summary>
    public const int Excluded = 77;

    public const int PreInstallFailed = 101;

    /// <summary>What timeout(1) returns: a command ran past its limit.</summary>
    public const int TimedOut = 124;

    /// <summary>128 + SIGINT: the caller cancelled.</summary>
    public const int Cancelled = 130;
}
