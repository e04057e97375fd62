using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public abstract partial class DkmsMessages
{
    /// <summary>The line for autoinstall while <c>/etc/dkms/no-autoinstall</c> exists.</summary>
    public abstract string AutoinstallDisabled { get; }

    /// <summary>True when autoinstall prints the signing preamble once before its first build, not in every build.</summary>
    public abstract bool SigningPreambleOncePerAutoinstall { get; }

    /// <summary>Prints what comes before one module's install in autoinstall.</summary>
    public abstract void AutoinstallStarting(DkmsOutput o, ModuleRef mv, KernelTarget t);

    /// <summary>Prints what comes after one module's install in autoinstall.</summary>
    public abstract void AutoinstallEnded(DkmsOutput o);

    /// <summary>Prints autoinstall's summary: modules installed (already or now), skipped, and failed (<c>module(code)</c>).</summary>
    public abstract void AutoinstallSummary(DkmsOutput o, string kernel, IReadOnlyCollection<string> installed,
        IReadOnlyCollection<string> skipped, IReadOnlyCollection<string> failed);

    /// <summary>The line for a module autoinstall did not try: what it BUILD_DEPENDS on is not installed.</summary>
    public abstract string MissingDependencies(ModuleRef mv, IEnumerable<string> missing);

    /// <summary>The lines for an autoinstall where something failed (exit 11).</summary>
    public abstract string[] AutoinstallFailed();

    /// <summary>Prints the heading of <c>match</c>.</summary>
    public abstract void Matching(DkmsOutput o, KernelTarget target, KernelTarget templateKernel);

    /// <summary>Prints that the template kernel has nothing installed.</summary>
    public abstract void NothingToMatch(DkmsOutput o);

    /// <summary>Prints the heading of one module <c>match</c> installs.</summary>
    public abstract void MatchingModule(DkmsOutput o, ModuleRef mv);

    /// <summary>The lines for <c>match</c> without <c>--templatekernel</c> (exit 1).</summary>
    public abstract string[] MatchUsage();

    /// <summary>The lines for <c>match</c> with the same kernel twice (exit 2).</summary>
    public abstract string[] MatchSameKernel();

    /// <summary>The lines for <c>match</c> of a module that is not in the tree (exit 3).</summary>
    public abstract string[] MatchModuleNotInTree(string name);

    /// <summary>The line for a kernel whose build goes into the archive.</summary>
    public abstract string MarkingModules(KernelTarget t);

    /// <summary>The lines for mktarball of a kernel the module is not built for (exit 6).</summary>
    public abstract string[] NotBuiltForTarball(KernelTarget t);

    /// <summary>Prints that the archive holds dkms.conf and the builds only.</summary>
    public abstract void BinariesOnlyTarball(DkmsOutput o);

    /// <summary>Prints that the archive holds the source.</summary>
    public abstract void MarkingSource(DkmsOutput o, string source);

    /// <summary>Prints where the archive is written (<paramref name="directory"/> as dkms spells it).</summary>
    public abstract void TarballLocation(DkmsOutput o, string directory, string name);

    /// <summary>The lines for <c>--archive</c> naming a directory (exit 2).</summary>
    public abstract string[] ArchiveIsDirectory(string archive);

    /// <summary>The lines for an archive directory that cannot be written (exit 9).</summary>
    public abstract string[] NoWritePermission(string directory);

    /// <summary>The lines for tar failing (exit 6).</summary>
    public abstract string[] TarballFailed(string reason);

    /// <summary>The lines for ldtarball without an archive.</summary>
    public abstract string[] ArchiveNotGiven();

    /// <summary>The lines for ldtarball of an archive that does not exist (exit 2).</summary>
    public abstract string[] ArchiveMissing(string archive);

    /// <summary>The lines for an archive without any dkms.conf (exit 3).</summary>
    public abstract string[] NoDkmsConfInArchive();

    /// <summary>Prints that a dkms.conf in the archive is refused.</summary>
    public abstract void MalformedConfInArchive(DkmsOutput o);

    /// <summary>The lines for an archive without a usable dkms.conf (exit 7).</summary>
    public abstract string[] NotADkmsTarball(string archive);

    /// <summary>The lines for an archive whose module/version is already added (exit 8).</summary>
    public abstract string[] TarballAlreadyAdded(ModuleRef mv);

    /// <summary>The lines for an archive with a kernel or arch directory that is not a plain name (exit 7).</summary>
    public abstract string[] BadKernelInArchive(string kernel, string arch);

    /// <summary>Prints that an archive is being loaded.</summary>
    public abstract void LoadingTarball(DkmsOutput o, ModuleRef mv);

    /// <summary>The line for the stub source directory of a binaries-only archive.</summary>
    public abstract string CreatingDirectory(string directory);

    /// <summary>The line for the dkms.conf copied into that stub.</summary>
    public abstract string CopyingConf(string directory);

    /// <summary>The warning for a build in the archive that is already in the tree.</summary>
    public abstract string BuildAlreadyThere(string directory);

    /// <summary>The line for a build loaded from the archive.</summary>
    public abstract string LoadingBuild(string directory);

    /// <summary>dkms's usage text, <paramref name="program"/> as it was started.</summary>
    public abstract string Usage(string program);

    /// <summary>The lines for an option dkms does not know (exit 2).</summary>
    public abstract string[] UnknownOption(string name);

    /// <summary>The lines for a command line without a known action (exit 2).</summary>
    public abstract string[] UnknownAction(string action);

    /// <summary>The lines for two actions on one command line (exit 4).</summary>
    public abstract string[] MoreThanOneAction();

    /// <summary>The lines for <c>--binaries-only</c> with <c>--source-only</c> (exit 8).</summary>
    public abstract string[] BinariesAndSourceOnly();

    /// <summary>The lines for several arches that do not pair with the kernels (exit 1).</summary>
    public abstract string[] ArchesWithoutKernels();

    /// <summary>The lines for <c>-k</c> with <c>--all</c> (exit 2).</summary>
    public abstract string[] KernelWithAll();

    /// <summary>The lines for <c>-a</c> with <c>--all</c> (exit 3).</summary>
    public abstract string[] ArchWithAll();

    /// <summary>The lines for <c>--all</c> on an action that does not take it (exit 5).</summary>
    public abstract string[] AllNotSupported(string action);

    /// <summary>The lines for several kernels on an action that takes one (exit 4).</summary>
    public abstract string[] OneKernelOnly(string action);

    /// <summary>The lines for a kernel_* action without exactly one kernel (exit 4).</summary>
    public abstract string[] ExactlyOneKernel(string action);
}
