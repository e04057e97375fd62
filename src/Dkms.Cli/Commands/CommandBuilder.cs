using Dkms.Cli.CommandLine;
using Dkms.Core.Commands;

namespace Dkms.Cli.Commands;

/// <summary>
/// dkms's command line as one <see cref="DkmsCommand"/>: the same command runs in-process or goes to dkmsd
/// (as <c>ProtoMapping.ToProto(command)</c>). Only the shape is decided here; dkms's checks run where the engine runs.
/// </summary>
internal static class CommandBuilder
{
    public static DkmsCommand Add(DkmsArguments args) =>
        new AddCommand(args.SourcePath is null && args.ArchivePath is null ? Module(args) : null, args.SourcePath,
            args.SourcePath is null ? args.ArchivePath : null, Options(args));

    public static DkmsCommand Build(DkmsArguments args, bool install) =>
        new BuildCommand(args.SourcePath is null ? Module(args) : null, args.SourcePath, Targets(args), install, Options(args));

    public static DkmsCommand Removal(DkmsArguments args, DkmsAction removal) =>
        new ModuleRemovalCommand(removal, Module(args), Targets(args), args.All, Options(args));

    /// <summary><c>autoinstall</c> and <c>kernel_postinst</c>.</summary>
    public static DkmsCommand Autoinstall(DkmsArguments args) => new AutoinstallCommand(Targets(args).FirstOrDefault(), Options(args));

    /// <summary><c>kernel_prerm</c>, and <c>kernel_preinst</c> (only AUTOINSTALL modules).</summary>
    public static DkmsCommand KernelRemoval(DkmsArguments args, bool onlyAutoinstall) =>
        new KernelRemovalCommand(Targets(args).FirstOrDefault(), onlyAutoinstall, Options(args));

    public static DkmsCommand Match(DkmsArguments args) =>
        new MatchCommand(args.TemplateKernel ?? string.Empty, Targets(args).FirstOrDefault(), args.Module, Options(args));

    public static DkmsCommand MkTarball(DkmsArguments args) =>
        new MkTarballCommand(Module(args), Targets(args), args.All, args.Archive, args.SourceOnly, args.BinariesOnly);

    public static DkmsCommand LdTarball(DkmsArguments args) =>
        new LdTarballCommand(args.Archive ?? args.ArchivePath ?? string.Empty, Options(args));

    /// <summary>The kernels of the command line with their arches, as given (<see cref="TargetSpec.Pair"/>).</summary>
    public static List<TargetSpec> Targets(DkmsArguments args) => TargetSpec.Pair(args.Kernels, args.KernelArches, args.Arches);

    private static ModuleArg? Module(DkmsArguments args) => args.Module is null ? null : new ModuleArg(args.Module, args.Version ?? string.Empty);

    private static CommandOptions Options(DkmsArguments args) => new()
    {
        Engine = new Core.Actions.ActionOptions
        {
            Force = args.Force,
            ForceVersionOverride = args.ForceVersionOverride,
            NoDepmod = args.NoDepmod,
            KernelSourceDir = args.KernelSourceDir,
            KernelConfig = args.KernelConfig,
            ConfFile = args.ConfFile,
            Directives = [.. args.Directives],
        },
        ParallelJobs = args.Jobs,
        Verbose = args.Verbose,
        Debug = args.Debug,
        SymlinkModules = args.SymlinkModules,
        ModprobeOnInstall = args.ModprobeOnInstall,
    };
}
