using Dkms.Core.Actions;

namespace Dkms.Core.Output;

public partial class Dkms30Messages
{
    /// <remarks>dkmsd's own: 3.0.10 does not know <c>/etc/dkms/no-autoinstall</c>.</remarks>
    public override string AutoinstallDisabled => "Automatic installation of modules has been disabled.";

    public override bool SigningPreambleOncePerAutoinstall => false;

    // 3.0.10's autoinstall prints what each install prints, and nothing around it.
    public override void AutoinstallStarting(DkmsOutput o, ModuleRef mv, KernelTarget t)
    {
    }

    public override void AutoinstallEnded(DkmsOutput o)
    {
    }

    public override void AutoinstallSummary(DkmsOutput o, string kernel, IReadOnlyCollection<string> installed,
        IReadOnlyCollection<string> skipped, IReadOnlyCollection<string> failed)
    {
    }

    public override string MissingDependencies(ModuleRef mv, IEnumerable<string> missing) =>
        $"{mv.Module}/{mv.Version} autoinstall failed due to missing dependencies: {string.Join(' ', missing)}";

    public override string[] AutoinstallFailed() =>
        ["One or more modules failed to install during autoinstall.", "Refer to previous errors for more information."];

    public override void Matching(DkmsOutput o, KernelTarget target, KernelTarget templateKernel)
    {
        o.Line();
        o.Line($"Matching modules in kernel: {target}");
        o.Line($"to the configuration of kernel: {templateKernel}");
    }

    public override void NothingToMatch(DkmsOutput o)
    {
        o.Line();
        o.Line("There is nothing to be done for this match.");
    }

    public override void MatchingModule(DkmsOutput o, ModuleRef mv)
    {
        o.Line($"Module:  {mv.Module}");
        o.Line($"Version: {mv.Version}");
    }

    public override string[] MatchUsage() =>
    [
        "Invalid number of parameters passed.",
        "Usage: match --templatekernel=<kernel-version> -k <kernel-version>",
        "   or: match --templatekernel=<kernel-version> -k <kernel-version> <module>",
    ];

    public override string[] MatchSameKernel() => ["The templatekernel and the specified kernel version are the same."];

    public override string[] MatchModuleNotInTree(string name) => [$"The module: {name} is not located in the DKMS tree."];

    public override string MarkingModules(KernelTarget t) => $"Marking modules for {t} for archiving...";

    public override string[] NotBuiltForTarball(KernelTarget t) =>
        [$"No modules built for {t}.", "Modules must already be in the built state before using mktarball."];

    // 3.0.10's own spelling ("accomodate").
    public override void BinariesOnlyTarball(DkmsOutput o)
    {
        o.Line();
        o.Line("Creating tarball structure to specifically accomodate binaries.");
    }

    public override void MarkingSource(DkmsOutput o, string source)
    {
        o.Line();
        o.Line($"Marking {source} for archiving...");
    }

    public override void TarballLocation(DkmsOutput o, string directory, string name)
    {
        o.Line();
        o.Line($"Tarball location: {directory}/{name}");
    }

    /// <remarks>dkmsd's own.</remarks>
    public override string[] ArchiveIsDirectory(string archive) => [$"--archive {archive} names a directory, not a file."];

    public override string[] NoWritePermission(string directory) => [$"Missing write permissions for {directory}."];

    public override string[] TarballFailed(string reason) => ["Failed to make tarball."];

    // 3.0.10 says it of the empty name.
    public override string[] ArchiveNotGiven() => ArchiveMissing(string.Empty);

    public override string[] ArchiveMissing(string archive) => [$"{archive} does not exist."];

    public override string[] NoDkmsConfInArchive() =>
        ["Tarball does not appear to be a correctly formed DKMS archive. No dkms.conf found within it."];

    public override void MalformedConfInArchive(DkmsOutput o)
    {
        o.ErrLine();
        o.ErrLine("Malformed dkms.conf, refusing to load.");
    }

    public override string[] NotADkmsTarball(string archive) =>
        ["No valid dkms.conf in dkms_source_tree or dkms_binaries_only.", $"{archive} is not a valid DKMS tarball."];

    public override string[] TarballAlreadyAdded(ModuleRef mv) => [$"{Dashed(mv)} is already added!", "Aborting."];

    /// <remarks>dkmsd's own: 3.0.10 copies whatever the archive holds.</remarks>
    public override string[] BadKernelInArchive(string kernel, string arch) => [$"Invalid kernel or arch '{kernel}/{arch}' in the tarball."];

    public override void LoadingTarball(DkmsOutput o, ModuleRef mv)
    {
        o.Line();
        o.Line($"Loading tarball for {Dashed(mv)}");
    }

    public override string CreatingDirectory(string directory) => $"Creating {directory}";

    public override string CopyingConf(string directory) => $"Copying dkms.conf to {directory} ...";

    public override string BuildAlreadyThere(string directory) => $"{directory} already exists. Skipping...";

    public override string LoadingBuild(string directory) => $"Loading {directory}...";

    public override string Usage(string program) => $$"""
        Usage: {{program}} [action] [options]
          [action]  = { add | remove | build | install | uninstall | match | autoinstall |
                        mktarball | ldtarball | status }
          [options] = [-m module] [-v module-version] [-k kernel-version] [-a arch]
                      [-c dkms.conf-location] [-q] [--force] [--force-version-override] [--all]
                      [--templatekernel=kernel] [--directive='cli-directive=cli-value']
                      [--config=kernel-.config-location] [--archive=tarball-location]
                      [--kernelsourcedir=source-location]
                      [--binaries-only] [--source-only] [--verbose]
                      [--no-depmod] [--modprobe-on-install] [-j number] [--version]

        """;

    // error $" Unknown option: $1": the leading space makes two after "Error!".
    public override string[] UnknownOption(string name) => [$" Unknown option: {name}"];

    public override string[] UnknownAction(string action) => [$"Unknown action specified: \"{action}\""];

    public override string[] MoreThanOneAction() => ["Cannot specify more than one action."];

    public override string[] BinariesAndSourceOnly() => [" You have specified both --binaries-only and --source-only.", "You cannot do this."];

    public override string[] ArchesWithoutKernels() =>
    [
        " If more than one arch is specified on the command line, then there",
        "must be an equal number of kernel versions also specified (1:1 relationship).",
    ];

    public override string[] KernelWithAll() => [" You cannot specify a kernel version and also specify", "--all on the command line."];

    public override string[] ArchWithAll() => [" You cannot specify an arch and also specify", "--all on the command line."];

    public override string[] AllNotSupported(string action) => [$"The action {action} does not support the --all parameter."];

    public override string[] OneKernelOnly(string action) =>
        [$"The action {action} does not support multiple kernel version parameters on the command line."];

    /// <remarks>dkmsd's own: 3.0.10 has no kernel_* actions.</remarks>
    public override string[] ExactlyOneKernel(string action) =>
        [$"The action {action} requires exactly one kernel version parameter on the command line."];
}
