using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Core.Platform;

namespace Dkms.Core.Tests.Commands;

/// <summary>The units a command's jobs stand for, before it runs (were JobPlanner's tests in the daemon).</summary>
public sealed class CommandUnitsTests
{
    private static readonly string Arch = SystemInfo.MachineArch();

    private static readonly Func<ModuleRef, IReadOnlyList<KernelTarget>> NothingBuilt = _ => [];

    [Fact]
    public void Of_BuildOnTwoKernels_OneUnitPerKernelWithDefaults()
    {
        var command = new BuildCommand(new ModuleArg("m", "1"), null, [new TargetSpec("6.1", ""), new TargetSpec("6.2", "aarch64")], false,
            CommandOptions.Default);

        var units = CommandUnits.Of(command, "running", NothingBuilt);

        Assert.Equal([new CommandUnit("m", "1", "6.1", Arch), new CommandUnit("m", "1", "6.2", "aarch64")], units);
    }

    [Fact]
    public void Of_InstallWithoutKernel_TheRunningKernel()
    {
        var units = CommandUnits.Of(new BuildCommand(new ModuleArg("m", "1"), null, [], true, CommandOptions.Default), "6.9-run", NothingBuilt);

        Assert.Equal(new CommandUnit("m", "1", "6.9-run", Arch), Assert.Single(units));
    }

    [Fact]
    public void Of_ArchAlone_TheRunningKernelOnThatArch()
    {
        var units = CommandUnits.Of(new ModuleRemovalCommand(DkmsAction.Unbuild, new ModuleArg("m", "1"), [new TargetSpec("", "aarch64")], false,
            CommandOptions.Default), "6.9-run", NothingBuilt);

        Assert.Equal(new CommandUnit("m", "1", "6.9-run", "aarch64"), Assert.Single(units));
    }

    [Fact]
    public void Of_RemoveAll_OneUnitPerBuiltKernelEqualToTheEnginesUnit()
    {
        var mv = new ModuleRef("m", "1");
        IReadOnlyList<KernelTarget> built = [new KernelTarget("6.1", Arch), new KernelTarget("6.2", Arch)];

        var units = CommandUnits.Of(new ModuleRemovalCommand(DkmsAction.Remove, new ModuleArg("m", "1"), [], true, CommandOptions.Default), "r",
            m => m == mv ? built : []);

        Assert.Equal(built.Select(t => CommandUnit.Of(mv, t)), units);
    }

    [Fact]
    public void Of_RemoveAllBuiltForNone_TheModuleAlone()
    {
        var units = CommandUnits.Of(new ModuleRemovalCommand(DkmsAction.Remove, new ModuleArg("m", "1"), [], true, CommandOptions.Default), "r",
            NothingBuilt);

        Assert.Equal(new CommandUnit("m", "1", "", ""), Assert.Single(units));
    }

    [Fact]
    public void Of_Autoinstall_TheKernelWhoseModulesTheEngineFinds()
    {
        var units = CommandUnits.Of(new AutoinstallCommand(new TargetSpec("6.1", ""), CommandOptions.Default), "r", NothingBuilt);

        var unit = Assert.Single(units);
        Assert.Equal(new CommandUnit("", "", "6.1", Arch), unit);
        Assert.NotEqual(CommandUnit.Of(new ModuleRef("m", "1"), new KernelTarget("6.1", Arch)), unit); // a module gets a job of its own
    }

    [Fact]
    public void Of_AddOfADirectory_OneUnitWithoutModule()
    {
        var units = CommandUnits.Of(new AddCommand(null, "/src/m-1", null, CommandOptions.Default), "r", NothingBuilt);

        Assert.Equal(new CommandUnit("", "", "", ""), Assert.Single(units));
    }
}
