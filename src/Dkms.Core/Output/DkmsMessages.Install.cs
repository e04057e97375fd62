using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public abstract partial class DkmsMessages
{
    /// <summary>The line for <c>install</c> of a module already installed on the kernel.</summary>
    public abstract string AlreadyInstalled(ModuleRef mv, KernelTarget t);

    /// <summary>The lines for an install onto a kernel without a directory in the install tree (exit 6).</summary>
    public abstract string[] KernelDirectoryMissing(string kernelDirectory);

    /// <summary>The lines for a built module whose file is gone (exit 6).</summary>
    public abstract string[] BuiltFileMissing(string name, string moduleDirectory);

    /// <summary>The lines for a failed PRE_INSTALL script (exit 101).</summary>
    public abstract string[] PreInstallFailed();

    /// <summary>Prints the heading of one module file being installed or uninstalled.</summary>
    public abstract void ModuleFile(DkmsOutput o, string fileName);

    /// <summary>The line before the version checks of one module.</summary>
    public abstract string? SanityCheck { get; }

    /// <summary>Prints why a module is not installed: OBSOLETE_BY names this kernel or an older one.</summary>
    public abstract void Obsoleted(DkmsOutput o, string obsoleteBy);

    /// <summary>Prints that the kernel holds the module more than once (nothing is compared).</summary>
    public abstract void SeveralInKernel(DkmsOutput o, string fileName, string kernel);

    /// <summary>Prints why a module is not installed: the kernel's copy is newer.</summary>
    public abstract void NotNewer(DkmsOutput o, string version, string fileName, string kernel, string kernelsVersion);

    /// <summary>Prints why a module is not installed: the kernel's copy is the same version.</summary>
    public abstract void SameVersion(DkmsOutput o, string version, string fileName, string kernel, string installed);

    /// <summary>The line that starts what happens to a kernel's own module of the same name.</summary>
    public abstract string? OriginalModule { get; }

    /// <summary>The line for an original module stored by an earlier install.</summary>
    public abstract string? OriginalAlreadyStored { get; }

    /// <summary>The line for a kernel that had no module of this name when this module was first installed.</summary>
    public abstract string? OriginalNeverExisted { get; }

    /// <summary>The line for a first install onto a kernel without a module of this name.</summary>
    public abstract string? NoOriginal { get; }

    /// <summary>Prints that the kernel's own module was moved into the dkms tree.</summary>
    public abstract void OriginalArchived(DkmsOutput o, string original, string storeDirectory);

    /// <summary>Prints where a module is installed.</summary>
    public abstract void Installing(DkmsOutput o, string directory, string file);

    /// <summary>The lines for a module file that could not be written (exit 6).</summary>
    public abstract string[] InstallCopyFailed(string source, string reason);

    /// <summary>The description of depmod.</summary>
    public abstract string Depmod { get; }

    /// <summary>What <c>--verbose</c> prints for depmod.</summary>
    public abstract string DepmodVerbose(string kernel);

    /// <summary>The lines for a depmod that failed (exit 6), when nothing else says it.</summary>
    public abstract string[] DepmodFailed(int exitCode);

    /// <summary>The lines for an install rolled back because depmod failed (exit 6).</summary>
    public abstract string[] DepmodProblems();

    /// <summary>The line before a module is built and installed again because a BUILD_DEPENDS module changed (3.2+).</summary>
    public virtual string RebuildingForDependencies(ModuleRef mv) => $"Rebuilding module {mv.Module}/{mv.Version} due to updated dependencies";

    /// <summary>The lines for an install whose every module the version check refused (3.2+, exit 6).</summary>
    public virtual string[] InstallationAborted() => ["Installation aborted."];

    /// <summary>Prints that depmod failed after an uninstall (the uninstall stands).</summary>
    public abstract void DepmodFailedAfterUninstall(DkmsOutput o, string kernel, string reason);

    /// <summary>The first line of an uninstall.</summary>
    public abstract string UninstallHeader(ModuleRef mv, KernelTarget t);

    /// <summary>The line for an uninstall of the version installed on the kernel.</summary>
    public abstract string WasActive { get; }

    /// <summary>The line for an uninstall of a version not installed on the kernel.</summary>
    public abstract string WasInactive { get; }

    /// <summary>The line that starts the removal of one module file.</summary>
    public abstract string? Uninstallation { get; }

    /// <summary>The line for a module file deleted from <paramref name="directory"/>.</summary>
    public abstract string DeletingFrom(string directory, string file);

    /// <summary>The line for a module file that is not in the kernel's directory.</summary>
    public abstract string NotFoundWithin(string kernelDirectory, string fileName);

    /// <summary>Prints that the kernel's own module was put back.</summary>
    public abstract void OriginalRestored(DkmsOutput o, string file);

    /// <summary>Prints that no original module was kept for this module.</summary>
    public abstract void NoOriginalStored(DkmsOutput o);

    /// <summary>The warning for an archived original whose recorded place is outside the kernel's directory.</summary>
    public abstract string BadOriginalLocation(string location);

    /// <summary>Prints that the kernel's original_module directory is gone from the dkms tree.</summary>
    public abstract void OriginalsRemoved(DkmsOutput o, KernelTarget t);

    /// <summary>The line for uninstall/unbuild/remove on a kernel the version is not installed on.</summary>
    public abstract string NotInstalled(ModuleRef mv, KernelTarget t);

    /// <summary>The line for unbuild/remove on a kernel the version is not built for.</summary>
    public abstract string NotBuilt(ModuleRef mv, KernelTarget t);

    /// <summary>The line for <c>remove</c> deleting the version from the tree.</summary>
    public abstract string DeletingModule(ModuleRef mv);

    /// <summary>The line kernel_prerm prints (on stderr) before removing a module from a kernel.</summary>
    public abstract string RemovingFromKernel(ModuleRef mv, KernelTarget t);

    /// <summary>True when <c>remove</c> prints a blank line after each kernel (3.2+).</summary>
    public virtual bool BlankLineAfterEachRemovedKernel => false;

    /// <summary>True when <c>install --force</c> prints a blank line after uninstalling the installed copy (3.2+'s maybe_install_module).</summary>
    public virtual bool BlankLineAfterForcedUninstall => false;

    /// <summary>True when <c>kernel_prerm</c> (not kernel_preinst) prints a blank line after each module it removes (3.2+).</summary>
    public virtual bool BlankLineAfterEachKernelPrermModule => false;
}
