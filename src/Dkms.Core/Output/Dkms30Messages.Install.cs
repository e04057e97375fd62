using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public partial class Dkms30Messages
{
    public override string AlreadyInstalled(ModuleRef mv, KernelTarget t) =>
        $"Module {mv.Module}/{mv.Version} already installed on kernel {t}, skip. You may override by specifying --force.";

    // 3.0.10's own spelling ("non-existant").
    public override string[] KernelDirectoryMissing(string kernelDirectory) =>
        [$"The directory {kernelDirectory} doesn't exist.", "You cannot install a module onto a non-existant kernel."];

    /// <remarks>dkmsd's own.</remarks>
    public override string[] BuiltFileMissing(string name, string moduleDirectory) => [$"Missing module {name} in {moduleDirectory}"];

    public override string[] PreInstallFailed() => ["pre_install failed, aborting install.", "You may override by specifying --force."];

    public override void ModuleFile(DkmsOutput o, string fileName)
    {
        o.Line();
        o.Line($"{fileName}:");
    }

    public override string? SanityCheck => "Running module version sanity check.";

    public override void Obsoleted(DkmsOutput o, string obsoleteBy)
    {
        o.ErrLine();
        o.ErrLine("Module has been obsoleted due to being included");
        o.ErrLine($"in kernel {obsoleteBy}.  We will avoid installing");
        o.ErrLine($"for future kernels above {obsoleteBy}.");
        o.ErrLine("You may override by specifying --force.");
    }

    // warn $"Warning! Cannot do ...": the word twice, as 3.0.10 prints it.
    public override void SeveralInKernel(DkmsOutput o, string fileName, string kernel) =>
        o.Warn($"Warning! Cannot do version sanity checking because multiple {fileName}", $"modules were found in kernel {kernel}.");

    public override void NotNewer(DkmsOutput o, string version, string fileName, string kernel, string kernelsVersion) =>
        o.Error($"Module version {version} for {fileName}", $"is not newer than what is already found in kernel {kernel} ({kernelsVersion}).",
            "You may override by specifying --force.");

    public override void SameVersion(DkmsOutput o, string version, string fileName, string kernel, string installed)
    {
        o.ErrLine($"Module version {version} for {fileName}");
        o.ErrLine($"exactly matches what is already found in kernel {kernel}.");
        o.ErrLine("DKMS will not replace this module.");
        o.ErrLine("You may override by specifying --force.");
    }

    public override string? OriginalModule => " - Original module";

    public override string? OriginalAlreadyStored => "   - An original module was already stored during a previous install";

    public override string? OriginalNeverExisted => "   - This kernel never originally had a module by this name";

    public override string? NoOriginal => "   - No original module exists within this kernel";

    // 3.0.10 prints (and does) this everywhere but on Debian and Ubuntu; dkmsd archives on every distribution.
    public override void OriginalArchived(DkmsOutput o, string original, string storeDirectory)
    {
        o.Line($"   - Found {original}");
        o.Line($"   - Storing in {storeDirectory}/");
        o.Line("   - Archiving for uninstallation purposes");
    }

    public override void Installing(DkmsOutput o, string directory, string file)
    {
        o.Line(" - Installation");
        o.Line($"   - Installing to {directory}/");
    }

    /// <remarks>dkmsd's own.</remarks>
    public override string[] InstallCopyFailed(string source, string reason) => [$"Copying '{source}' failed", reason];

    public override string Depmod => "depmod";

    public override string DepmodVerbose(string kernel) => $"do_depmod {kernel}";

    /// <remarks>dkmsd's own: 3.0.10 lets a failed depmod pass after "depmod...(bad exit status: N)".</remarks>
    public override string[] DepmodFailed(int exitCode) =>
        [string.Create(System.Globalization.CultureInfo.InvariantCulture, $"depmod failed (exit status {exitCode}).")];

    public override string[] DepmodProblems() =>
        ["Problems with depmod detected. Automatically uninstalling this module.", "Install Failed (depmod problems). Module rolled back to built state."];

    // 3.0.10 ignores depmod's status after an uninstall: "(bad exit status: N)" is all it says.
    public override void DepmodFailedAfterUninstall(DkmsOutput o, string kernel, string reason)
    {
    }

    public override string UninstallHeader(ModuleRef mv, KernelTarget t) => $"Module {Dashed(mv)} for kernel {t}.";

    public override string WasActive => "Before uninstall, this module version was ACTIVE on this kernel.";

    public override string WasInactive => "This module version was INACTIVE for this kernel.";

    public override string? Uninstallation => " - Uninstallation";

    public override string DeletingFrom(string directory, string file) => $"   - Deleting from: {directory}/";

    public override string NotFoundWithin(string kernelDirectory, string fileName) => $"   - Module was not found within {kernelDirectory}/";

    public override void OriginalRestored(DkmsOutput o, string file)
    {
        o.Line("   - Archived original module found in the DKMS tree");
        o.Line($"   - Moving it to: {Path.GetDirectoryName(file)}/");
    }

    public override void NoOriginalStored(DkmsOutput o)
    {
        o.Line("   - No original module was found for this module on this kernel.");
        o.Line("   - Use the dkms install command to reinstall any previous module version.");
    }

    /// <remarks>dkmsd's own: 3.0.10 keeps no record of where an original came from.</remarks>
    public override string BadOriginalLocation(string location) => $"Bad original location {location}";

    public override void OriginalsRemoved(DkmsOutput o, KernelTarget t)
    {
        o.Line();
        o.Line($"Removing original_module from DKMS tree for kernel {t}");
    }

    public override string NotInstalled(ModuleRef mv, KernelTarget t) => $"Module {Spaced(mv)} is not installed for kernel {t}. Skipping...";

    public override string NotBuilt(ModuleRef mv, KernelTarget t) => $"Module {Spaced(mv)} is not built for kernel {t}. Skipping...";

    public override string DeletingModule(ModuleRef mv) => $"Deleting module {Dashed(mv)} completely from the DKMS tree.";

    /// <remarks>Debian 12's kernel prerm hook (<c>/etc/kernel/prerm.d/dkms</c>), which says it before each <c>dkms remove</c>.</remarks>
    public override string RemovingFromKernel(ModuleRef mv, KernelTarget t) => $"dkms: removing: {mv.Module} {mv.Version} ({t.Kernel}) ({t.Arch})";
}
