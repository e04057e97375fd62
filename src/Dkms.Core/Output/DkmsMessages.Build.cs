using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public abstract partial class DkmsMessages
{
    /// <summary>The lines for <c>add</c> of a module/version already in the tree (exit 3).</summary>
    public abstract string[] AlreadyAdded(ModuleRef mv);

    /// <summary>The lines for <c>add m/v</c> without <c>&lt;source_tree&gt;/m-v</c> (exit 2).</summary>
    public abstract string[] SourceDirectoryMissing(string directory);

    /// <summary>The lines for <c>add &lt;dir&gt;</c> of a directory without dkms.conf (exit 9).</summary>
    public abstract string[] NoDkmsConf(string directory);

    /// <summary>Prints that <c>add --force</c> replaces the source tree copy.</summary>
    public abstract void ForcingInstall(DkmsOutput o, ModuleRef mv);

    /// <summary>The line for the source link <c>add</c> makes.</summary>
    public abstract string CreatingSymlink(string link, string target);

    /// <summary>3.4's line for <c>try_sign_modules="false"</c> (nothing is signed).</summary>
    public virtual string SigningDisabledByPolicy => "Module signing is disabled by policy, modules won't be signed";

    /// <summary>3.4's line for a chroot when <c>try_sign_modules</c> is not <c>true</c> (nothing is signed).</summary>
    public virtual string SigningSkippedInChroot => "Running in chroot, modules won't be signed";

    /// <summary>The line for a kernel without a .config (nothing is signed).</summary>
    public abstract string KernelConfigMissing(string config);

    /// <summary>The line for a kernel without CONFIG_MODULE_SIG_HASH (nothing is signed).</summary>
    public abstract string NoSigningFacility { get; }

    /// <summary>The signing preamble's line naming the sign-file program.</summary>
    public abstract string SignCommand(string signFile);

    /// <summary>The line for a sign-file program that is missing.</summary>
    public abstract string SignFileMissing(string signFile);

    /// <summary>The signing preamble's line naming the key.</summary>
    public abstract string SigningKey(string key);

    /// <summary>The signing preamble's line naming the certificate.</summary>
    public abstract string PublicCertificate(string certificate);

    /// <summary>The line for a module signed after its build.</summary>
    public abstract string SigningModule(string ko);

    /// <summary>Prints what sign-file wrote, and whether it failed.</summary>
    public abstract void SignFileOutput(DkmsOutput o, string ko, string output, bool succeeded);

    /// <summary>The line for <c>build</c> of a module already built for the kernel.</summary>
    public abstract string AlreadyBuilt(ModuleRef mv, KernelTarget t);

    /// <summary>The lines for a build directory that is already there (exit 3).</summary>
    public abstract string[] AlreadyBuiltOn(string kernel, string builtDirectory);

    /// <summary>The lines for a BUILD_EXCLUSIVE that excludes the kernel (exit 77).</summary>
    /// <param name="builtDirectory">The module's <c>m/v/k/a</c> directory.</param>
    public abstract string[] BuildExcluded(ModuleRef mv, string builtDirectory, string sourceLink);

    /// <summary>True when a BUILD_EXCLUSIVE refusal is a warning rather than an error.</summary>
    public abstract bool ExclusionIsWarning { get; }

    /// <summary>The lines for a source directory with (almost) nothing in it (exit 8).</summary>
    public abstract string[] NoModuleSource(string source);

    /// <summary>The lines for a kernel without headers (exit 21).</summary>
    public abstract string[] HeadersMissing(string kernel, string installTree);

    /// <summary>The lines for a build refused for missing BUILD_DEPENDS (exit 13).</summary>
    public abstract string[] MissingBuildDepends(ModuleRef mv, KernelTarget t, string modules);

    /// <summary>The warning for a build forced despite missing BUILD_DEPENDS.</summary>
    public abstract string MissingBuildDependsForced(ModuleRef mv, KernelTarget t, string modules);

    /// <summary>The line for a build left running by a killed process and stopped now.</summary>
    public abstract string StoppedStaleBuild(ModuleRef mv);

    /// <summary>The lines for a PATCH entry that leads out of the patches directory (exit 5).</summary>
    public abstract string[] PatchOutside(string patch);

    /// <summary>The lines for a PATCH entry that is missing (exit 5).</summary>
    public abstract string[] PatchMissing(string patch, string patchesDirectory);

    /// <summary>The description of applying a patch.</summary>
    public abstract string ApplyingPatch(string patch);

    /// <summary>The lines for a patch that does not apply (exit 6).</summary>
    public abstract string[] PatchFailed(string patch, string buildDirectory, string log);

    /// <summary>Prints the heading of the build itself.</summary>
    public abstract void BuildingModule(DkmsOutput o);

    /// <summary>The description of the clean command, run before and after the build.</summary>
    public abstract string CleaningBuildArea { get; }

    /// <summary>The first lines of make.log, <paramref name="dateLine"/> as date(1) prints it.</summary>
    public abstract string MakeLogHeader(ModuleRef mv, KernelTarget t, string dateLine);

    /// <summary>What <c>--verbose</c> prints for the make command.</summary>
    public abstract string MakeVerbose(string make, string log);

    /// <summary>The lines for a failed make (exit 10).</summary>
    public abstract string[] BuildFailed(KernelTarget t, string log);

    /// <summary>The lines for a make stopped by dkmsd's build_timeout (exit 10).</summary>
    public abstract string[] BuildTimedOut(KernelTarget t, TimeSpan limit, string log);

    /// <summary>The lines for a module make did not produce (exit 7).</summary>
    /// <param name="builtModule">BUILT_MODULE_LOCATION, BUILT_MODULE_NAME and <c>.ko</c>.</param>
    public abstract string[] BuiltModuleMissing(string builtModule, KernelTarget t, string buildDirectory, string log);

    /// <summary>The description of the make step (3.0 shows the make command itself).</summary>
    public virtual string MakeStep(string make) => make;

    /// <summary>What a step writes to its log file before the command's output (3.2's "# command:" block); null for nothing.</summary>
    public virtual string? LogStepHeader(string description, string command) => null;

    /// <summary>What a step writes to its log file after the command's output; null for nothing.</summary>
    public virtual string? LogStepFooter(int exitCode, TimeSpan elapsed) => null;

    /// <summary>What follows a failed step's "(bad exit status: N)" on the terminal (3.2's "Failed command:"); empty for nothing.</summary>
    public virtual string StepFailedCommand(string command) => string.Empty;
}
