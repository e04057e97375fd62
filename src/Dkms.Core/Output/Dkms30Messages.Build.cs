using System.Globalization;
using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public partial class Dkms30Messages
{
    public override string[] AlreadyAdded(ModuleRef mv) =>
        [$"DKMS tree already contains: {Dashed(mv)}", "You cannot add the same module/version combo more than once."];

    public override string[] SourceDirectoryMissing(string directory) =>
        ["Could not find module source directory.", $"Directory: {directory} does not exist."];

    public override string[] NoDkmsConf(string directory) => [$"{directory} must contain a dkms.conf file!"];

    // add_source_tree: `echo >&2` then the line on stdout.
    public override void ForcingInstall(DkmsOutput o, ModuleRef mv)
    {
        o.ErrLine();
        o.Line($"Forcing install of {Dashed(mv)}");
    }

    public override string CreatingSymlink(string link, string target) => $"Creating symlink {link} -> {target}";

    /// <remarks>dkmsd's own: 3.0.10 signs with sha512 when the kernel has no .config.</remarks>
    public override string KernelConfigMissing(string config) => $"Kernel config {config} not found, modules won't be signed";

    /// <remarks>dkmsd's own: 3.0.10 signs with sha512 when CONFIG_MODULE_SIG_HASH is unset.</remarks>
    public override string NoSigningFacility => "The kernel is built without module signing facility, modules won't be signed";

    public override string SignCommand(string signFile) => $"Sign command: {signFile}";

    public override string SignFileMissing(string signFile) => $"Binary {signFile} not found, modules won't be signed";

    public override string SigningKey(string key) => $"Signing key: {key}";

    public override string PublicCertificate(string certificate) => $"Public certificate (MOK): {certificate}";

    public override string SigningModule(string ko) => $"Signing module {ko}";

    // 3.0.10 runs sign-file on its terminal and carries on whatever it returns: what sign-file wrote is all there is.
    public override void SignFileOutput(DkmsOutput o, string ko, string output, bool succeeded)
    {
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            o.ErrLine(line);
        }
    }

    public override string AlreadyBuilt(ModuleRef mv, KernelTarget t) =>
        $"Module {mv.Module}/{mv.Version} already built for kernel {t}, skip. You may override by specifying --force.";

    public override string[] AlreadyBuiltOn(string kernel, string builtDirectory) =>
    [
        $"This module/version has already been built on: {kernel}",
        $"Directory {builtDirectory} already exists. Use the dkms remove function before trying to build again.",
    ];

    // 3.0.10 names dkms.conf under the build's own directory (its $base_dir), not under source/.
    public override string[] BuildExcluded(ModuleRef mv, string builtDirectory, string sourceLink) =>
    [
        $"The {builtDirectory}/dkms.conf for module {mv.Module} includes a BUILD_EXCLUSIVE directive which does not match this kernel/arch/config.",
        "This indicates that it should not be built.",
    ];

    public override bool ExclusionIsWarning => false;

    public override string[] NoModuleSource(string source) =>
        [$"The directory {source} does not appear to have module source located within it.", "Build halted."];

    public override string[] HeadersMissing(string kernel, string installTree) =>
    [
        $"Your kernel headers for kernel {kernel} cannot be found at {installTree}/{kernel}/build or {installTree}/{kernel}/source.",
        $"Please install the linux-headers-{kernel} package or use the --kernelsourcedir option to tell DKMS where it's located.",
    ];

    /// <remarks>dkmsd's own: 3.0.10 uses BUILD_DEPENDS only to order autoinstall.</remarks>
    public override string[] MissingBuildDepends(ModuleRef mv, KernelTarget t, string modules) =>
    [
        $"Aborting build of module {mv.Module}/{mv.Version} for kernel {t} due to missing BUILD_DEPENDS: {modules}.",
        "You may override by specifying --force.",
    ];

    /// <remarks>dkmsd's own, as <see cref="MissingBuildDepends"/>.</remarks>
    public override string MissingBuildDependsForced(ModuleRef mv, KernelTarget t, string modules) =>
        $"Trying to build module {mv.Module}/{mv.Version} for kernel {t} despite of missing BUILD_DEPENDS: {modules}.";

    /// <remarks>dkmsd's own.</remarks>
    public override string StoppedStaleBuild(ModuleRef mv) => $"Stopped a build of {mv.Module}/{mv.Version} left running by a process that was killed.";

    /// <remarks>dkmsd's own: 3.0.10 applies such a patch.</remarks>
    public override string[] PatchOutside(string patch) => [$"Patch {patch} as specified in dkms.conf contains '..' path component."];

    public override string[] PatchMissing(string patch, string patchesDirectory) =>
        [$" Patch {patch} as specified in dkms.conf cannot be", $"found in {patchesDirectory}/."];

    public override string ApplyingPatch(string patch) => $"applying patch {patch}";

    public override string[] PatchFailed(string patch, string buildDirectory, string log) =>
        [$"Application of patch {patch} failed.", $"Check {buildDirectory} for more information."];

    public override void BuildingModule(DkmsOutput o)
    {
        o.Line();
        o.Line("Building module:");
    }

    public override string CleaningBuildArea => "Cleaning build area";

    public override string MakeLogHeader(ModuleRef mv, KernelTarget t, string dateLine) =>
        $"DKMS make.log for {Dashed(mv)} for kernel {t}\n{dateLine}\n";

    public override string MakeVerbose(string make, string log) => $"{{ {make}; }} >> {log} 2>&1";

    public override string[] BuildFailed(KernelTarget t, string log) =>
        [$"Bad return status for module build on kernel: {t}", $"Consult {log} for more information."];

    /// <remarks>dkmsd's own (3.0.10 has no build_timeout).</remarks>
    public override string[] BuildTimedOut(KernelTarget t, TimeSpan limit, string log) =>
    [
        string.Create(CultureInfo.InvariantCulture, $"The module build on kernel: {t} did not finish within {limit.TotalSeconds:0} s and was stopped."),
        $"Consult {log} for more information.",
    ];

    public override string[] BuiltModuleMissing(string builtModule, KernelTarget t, string buildDirectory, string log) =>
    [
        $" Build of {builtModule} failed for: {t}",
        "Make sure the name of the generated module is correct and at the root of the",
        "build directory, or consult make.log in the build directory",
        $"{buildDirectory} for more information.",
    ];
}
