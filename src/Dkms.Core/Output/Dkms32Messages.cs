using System.Globalization;
using Dkms.Core.Actions;

namespace Dkms.Core.Output;

/// <summary>
/// Upstream dkms 3.2.2's words where they differ from 3.0.10's: <c>m/v</c> everywhere, a blank line before
/// <c>Error!</c>, <c>... done.</c> after a step, the 3.1.3 status remarks, the usage with the kernel_* actions,
/// BUILD_EXCLUSIVE as a four-line warning and autoinstall's per-module header and summary.
/// </summary>
/// <remarks>Lines not overridden here are 3.0.10's; docs/research/dkms-profiles.md lists the remaining differences.</remarks>
public class Dkms32Messages : Dkms30Messages
{
    protected Dkms32Messages()
    {
    }

    public static new Dkms32Messages Instance { get; } = new();

    public override string Version => "dkms-3.2.2";

    // error(): `echo ""` first, then as 3.0.10.
    public override string ErrorText(IReadOnlyList<string> lines) => "\n" + base.ErrorText(lines);

    public override string StepEnded(int exitCode) => exitCode == 0 ? " done." : base.StepEnded(exitCode);

    // make is the "Building module(s)" step; the blank line before it closes the signing prologue (ModuleSigner).
    public override void BuildingModule(DkmsOutput o)
    {
    }

    public override string MakeStep(string make) => "Building module(s)";

    public override string? LogStepHeader(string description, string command) => $"\n{description}\n# command: {command}\n";

    public override string? LogStepFooter(int exitCode, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"\n# exit code: {exitCode}\n# elapsed time: {elapsed:hh\\:mm\\:ss}\n") + new string('-', 64) + "\n";

    public override string StepFailedCommand(string command) => $"\nFailed command:\n{command}";

    public override string[] NotInTree(ModuleRef mv) => [$"The module/version combo: {Slashed(mv)} is not located in the DKMS tree."];

    public override string[] AlreadyAdded(ModuleRef mv) =>
        [$"DKMS tree already contains: {Slashed(mv)}", "You cannot add the same module/version combo more than once."];

    public override string[] TarballAlreadyAdded(ModuleRef mv) => [$"{Slashed(mv)} is already added!", "Aborting."];

    public override string MakeLogHeader(ModuleRef mv, KernelTarget t, string dateLine) =>
        $"DKMS ({Version}) make.log for {Slashed(mv)} for kernel {t}\n{dateLine}\n";

    public override string[] BuildExcluded(ModuleRef mv, string builtDirectory, string sourceLink) =>
    [
        $"The {builtDirectory}/dkms.conf",
        $"for module {Slashed(mv)} includes a BUILD_EXCLUSIVE directive",
        "which does not match this kernel/arch/config.",
        "This indicates that it should not be built.",
    ];

    public override bool ExclusionIsWarning => true;

    public override void Obsoleted(DkmsOutput o, string obsoleteBy)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.ErrLine();
        o.ErrLine($"Module has been obsoleted due to being included in kernel {obsoleteBy}.");
        o.ErrLine($"We will avoid installing for future kernels above {obsoleteBy}.");
        o.ErrLine("You may override by specifying --force.");
    }

    // run_build_script without a log file: the line alone (3.0.10 printed a blank line first).
    public override void RunningScript(DkmsOutput o, string type)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line($"Running the {type} script:");
    }

    // sign-file's output is kept ($(...)) and shown only when it fails, as the warning's second part.
    public override void SignFileOutput(DkmsOutput o, string ko, string output, bool succeeded)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(output);
        if (!succeeded)
        {
            o.Warn($"Failed to sign module '{ko}'!", output.TrimEnd('\n'));
        }
    }

    public override string ApplyingPatch(string patch) => $"Applying patch {patch}";

    public override string[] PatchMissing(string patch, string patchesDirectory) =>
        [$"Patch {patch} as specified in dkms.conf cannot be", $"found in {patchesDirectory}/."];

    public override string[] PatchFailed(string patch, string buildDirectory, string log) =>
        [$"Application of patch {patch} failed.", $"Consult {log} for more information."];

    public override string Depmod => "Running depmod";

    // 3.1+ reports an install or uninstall in one line per module.
    public override void ModuleFile(DkmsOutput o, string fileName)
    {
    }

    public override string? SanityCheck => null;

    public override string? OriginalModule => null;

    public override string? OriginalAlreadyStored => null;

    public override string? OriginalNeverExisted => null;

    public override string? NoOriginal => null;

    public override string? Uninstallation => null;

    public override void Installing(DkmsOutput o, string directory, string file)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line($"Installing {file}");
    }

    public override string DeletingFrom(string directory, string file) => $"Deleting {file}";

    public override string NotFoundWithin(string kernelDirectory, string fileName) => $"Module {fileName} was not found within {kernelDirectory}/";

    public override void NoOriginalStored(DkmsOutput o)
    {
    }

    public override void OriginalRestored(DkmsOutput o, string file)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line($"Restoring archived original module {file}");
    }

    public override void OriginalArchived(DkmsOutput o, string original, string storeDirectory)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line($"Found pre-existing {original}, archiving for uninstallation");
    }

    public override string UninstallHeader(ModuleRef mv, KernelTarget t) => $"Module {Slashed(mv)} for kernel {t}:";

    // 3.2 deletes a store emptied by restoring its originals without a word; it says "Removing original module(s)
    // from DKMS tree" only when some could not be put back, and then deletes them: dkmsd keeps those (nothing removed).
    public override void OriginalsRemoved(DkmsOutput o, KernelTarget t)
    {
    }

    public override string NotInstalled(ModuleRef mv, KernelTarget t) => $"Module {Slashed(mv)} is not installed for kernel {t}. Skipping...";

    public override string NotBuilt(ModuleRef mv, KernelTarget t) => $"Module {Slashed(mv)} is not built for kernel {t}. Skipping...";

    public override bool BlankLineAfterEachRemovedKernel => true;

    public override bool BlankLineAfterForcedUninstall => true;

    public override bool BlankLineAfterEachKernelPrermModule => true;

    /// <remarks>3.2's kernel_prerm / kernel_preinst, on stderr.</remarks>
    public override string RemovingFromKernel(ModuleRef mv, KernelTarget t) => $"dkms: removing module {Slashed(mv)} for kernel {t}";

    public override string DeletingModule(ModuleRef mv) => $"Deleting module {Slashed(mv)} completely from the DKMS tree.";

    public override bool SigningPreambleOncePerAutoinstall => true;

    public override void AutoinstallStarting(DkmsOutput o, ModuleRef mv, KernelTarget t)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line($"Autoinstall of module {Slashed(mv)} for kernel {t}");
    }

    public override void AutoinstallEnded(DkmsOutput o)
    {
        ArgumentNullException.ThrowIfNull(o);
        o.Line();
    }

    public override void AutoinstallSummary(DkmsOutput o, string kernel, IReadOnlyCollection<string> installed,
        IReadOnlyCollection<string> skipped, IReadOnlyCollection<string> failed)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (installed.Count > 0)
        {
            o.Line($"Autoinstall on {kernel} succeeded for module(s) {string.Join(' ', installed)}.");
        }

        if (skipped.Count > 0)
        {
            o.Line($"Autoinstall on {kernel} was skipped for module(s) {string.Join(' ', skipped)}.");
        }

        if (failed.Count > 0)
        {
            o.Line($"Autoinstall on {kernel} failed for module(s) {string.Join(' ', failed)}.");
        }
    }

    public override string MissingDependencies(ModuleRef mv, IEnumerable<string> missing) =>
        $"{Slashed(mv)} autoinstall failed due to missing dependencies: {string.Join(' ', missing)}.";

    public override string StatusOriginalExists => "(Original modules exist)";

    public override string StatusBuiltModulesMissing => "(Built modules are missing in the kernel modules folder)";

    public override string StatusBuiltAndInstalledDiffer => "(Differences between built and installed modules)";

    public override string Usage(string program) => $$"""
        Usage: {{program}} [action] [options]
          [action]  = { add | remove | build | unbuild | install | uninstall | match |
                       autoinstall | mktarball | ldtarball | status | generate_mok |
                       kernel_preinst | kernel_postinst | kernel_prerm }
          [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]
                      [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]
                      [--templatekernel=kernel] [--directive='cli-directive=cli-value']
                      [--config=kernel-include/config/auto.conf-location] [--archive=tarball-location]
                      [--kernelsourcedir=source-location] [--rpm_safe_upgrade]
                      [--dkmstree path] [--sourcetree path] [--installtree path]
                      [--binaries-only] [--source-only] [--verbose]
                      [--no-depmod] [--modprobe-on-install] [-j number] [--version] [--help]

        """;

    // 3.1 dropped the leading blanks of these messages.
    public override string[] UnknownOption(string name) => [$"Unknown option: {name}"];

    public override string[] BinariesAndSourceOnly() => ["You have specified both --binaries-only and --source-only.", "You cannot do this."];

    public override string[] ArchesWithoutKernels() =>
    [
        "If more than one arch is specified on the command line, then there",
        "must be an equal number of kernel versions also specified (1:1 relationship).",
    ];

    public override string[] KernelWithAll() => ["You cannot specify a kernel version and also specify", "--all on the command line."];

    public override string[] ArchWithAll() => ["You cannot specify an arch and also specify", "--all on the command line."];

    /// <summary>3.1+'s <c>$module/$module_version</c>.</summary>
    protected static string Slashed(ModuleRef mv) => $"{mv.Module}/{mv.Version}";
}
