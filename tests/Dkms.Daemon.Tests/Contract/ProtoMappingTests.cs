using System.Text.Json;
using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Protocol;

namespace Dkms.Daemon.Tests.Contract;

/// <summary>dkmsctl sends <c>ToProto(command)</c> and dkmsd runs <c>ToCommand(request)</c>: both must be the same command.</summary>
public sealed class ProtoMappingTests
{
    private static readonly CommandOptions Options = new()
    {
        Engine = new ActionOptions
        {
            Force = true, ForceVersionOverride = true, NoDepmod = true, KernelSourceDir = "/k/src", KernelConfig = "/k/.config",
            ConfFile = "/m/dkms.conf", Directives = ["MAKE[0]=make foo", "CLEAN=true"],
        },
        ParallelJobs = 3,
        Verbose = true,
        SymlinkModules = true,
        ModprobeOnInstall = true,
    };

    private static readonly TargetSpec[] Targets = [new("6.1.0-18-amd64", ""), new("6.2", "aarch64")];

    private static readonly DkmsCommand[] All =
    [
        new AddCommand(new ModuleArg("m", "1.0"), null, null, Options),
        new AddCommand(null, "/usr/src/m-1.0", null, Options),
        new AddCommand(null, null, "/tmp/m-1.0.dkms.tar.gz", Options),
        new BuildCommand(new ModuleArg("m", "1.0"), null, Targets, Install: false, Options),
        new BuildCommand(null, "/usr/src/m-1.0", Targets, Install: false, Options),
        new BuildCommand(new ModuleArg("m", "1.0"), null, Targets, Install: true, Options),
        new BuildCommand(null, "/usr/src/m-1.0", [], Install: true, CommandOptions.Default),
        new ModuleRemovalCommand(DkmsAction.Uninstall, new ModuleArg("m", "1.0"), Targets, All: false, Options),
        new ModuleRemovalCommand(DkmsAction.Unbuild, new ModuleArg("m", "1.0"), [], All: true, Options),
        new ModuleRemovalCommand(DkmsAction.Remove, new ModuleArg("m", "1.0"), Targets, All: false, Options),
        new ModuleRemovalCommand(DkmsAction.Remove, null, [], All: true, CommandOptions.Default),
        new AutoinstallCommand(new TargetSpec("6.1", "x86_64"), Options),
        new AutoinstallCommand(null, CommandOptions.Default),
        new KernelRemovalCommand(new TargetSpec("6.1", ""), OnlyAutoinstall: false, Options),
        new KernelRemovalCommand(new TargetSpec("6.1", ""), OnlyAutoinstall: true, CommandOptions.Default),
        new MatchCommand("6.1", new TargetSpec("6.2", ""), "m", Options),
        new MatchCommand("6.1", null, null, CommandOptions.Default),
        new MkTarballCommand(new ModuleArg("m", "1.0"), Targets, All: false, "/tmp/out.tar.gz", SourceOnly: true, BinariesOnly: false),
        new MkTarballCommand(new ModuleArg("m", "1.0"), [], All: true, null, SourceOnly: false, BinariesOnly: true),
        new LdTarballCommand("/tmp/m-1.0.dkms.tar.gz", Options),
        new GenerateMokCommand(),
        new AutoinstallCommand(new TargetSpec("", "aarch64"), Options with { ParallelJobs = 0 }),
    ];

    public static TheoryData<DkmsCommand> Commands() => new(All);

    [Theory]
    [MemberData(nameof(Commands))]
    public void ToCommand_OfToProto_TheSameCommand(DkmsCommand command)
    {
        var request = ProtoMapping.ToProto(command);

        var back = ProtoMapping.ToCommand(request);

        Assert.Equal(command.GetType(), back.GetType());
        Assert.Equal(command.Kind, back.Kind);
        Assert.Equal(Json(command), Json(back));
        Assert.Equal(request, ProtoMapping.ToProto(back));
    }

    [Fact]
    public void Commands_EveryAction_Covered()
    {
        var kinds = All.Select(c => c.Kind).ToHashSet();

        Assert.Equal(Enum.GetValues<DkmsAction>().ToHashSet(), kinds);
    }

    [Fact]
    public void ToCommand_ModuleActionRequest_TheRpcDecidesTheRemoval()
    {
        var request = new Protocol.V1.ModuleActionRequest { Module = new Protocol.V1.ModuleRef { Name = "m", Version = "1" }, All = true };

        Assert.Equal(DkmsAction.Unbuild, ProtoMapping.ToCommand(request, DkmsAction.Unbuild).Kind);
        Assert.Equal(Protocol.V1.ActionRequest.ActionOneofCase.Unbuild,
            ProtoMapping.ToProto(ProtoMapping.ToCommand(request, DkmsAction.Unbuild)).ActionCase);
    }

    [Fact]
    public void ToCore_NoOptions_TheDefaults()
    {
        var command = ProtoMapping.ToCommand(new Protocol.V1.BuildRequest { Module = new Protocol.V1.ModuleRef { Name = "m", Version = "1" } });

        Assert.Same(CommandOptions.Default, command.Options);
        Assert.Null(command.Options.ParallelJobs);
    }

    private static string Json(DkmsCommand command) => JsonSerializer.Serialize(command, command.GetType());
}
