using Dkms.Core.Platform;
using Dkms.Daemon.Jobs;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Jobs;

public sealed class JobPlannerTests
{
    private static readonly string Arch = SystemInfo.MachineArch();

    [Fact]
    public void Plan_BuildOnTwoKernels_OneJobPerKernelWithDefaults()
    {
        var request = new ActionRequest
        {
            Build = new BuildRequest
            {
                Module = new ModuleRef { Name = "m", Version = "1" },
                Kernels = { new KernelTarget { Kernel = "6.1" }, new KernelTarget { Kernel = "6.2", Arch = "aarch64" } },
            },
        };

        var keys = JobPlanner.Plan(request, "running");

        Assert.Equal([("m", "1", "6.1", Arch), ("m", "1", "6.2", "aarch64")], keys.Select(k => (k.Module, k.Version, k.Kernel, k.Arch)));
    }

    [Fact]
    public void Plan_InstallWithoutKernel_TheRunningKernel()
    {
        var keys = JobPlanner.Plan(new ActionRequest { Install = new InstallRequest { Module = new ModuleRef { Name = "m", Version = "1" } } }, "6.9-run");

        Assert.Equal(("6.9-run", Arch), (Assert.Single(keys).Kernel, keys[0].Arch));
    }

    [Fact]
    public void Plan_RemoveAll_OneModuleJobThatUnitsClaim()
    {
        var keys = JobPlanner.Plan(new ActionRequest { Remove = new ModuleActionRequest { Module = new ModuleRef { Name = "m", Version = "1" }, All = true } }, "r");
        var unit = new JobKey { Module = "m", Version = "1", Kernel = "6.1", Arch = Arch };

        var key = Assert.Single(keys);
        Assert.Equal("", key.Kernel);
        Assert.True(JobPlanner.Claimable(key, unit));
        Assert.False(JobPlanner.Covers(key, unit));
    }

    [Fact]
    public void Plan_Autoinstall_KernelJobThatModuleUnitsDoNotClaim()
    {
        var keys = JobPlanner.Plan(new ActionRequest { Autoinstall = new AutoinstallRequest { Kernel = new KernelTarget { Kernel = "6.1" } } }, "r");
        var unit = new JobKey { Module = "m", Version = "1", Kernel = "6.1", Arch = Arch };

        var key = Assert.Single(keys);
        Assert.Equal(("", "6.1"), (key.Module, key.Kernel));
        Assert.False(JobPlanner.Claimable(key, unit));
        Assert.True(JobPlanner.Covers(key, unit)); // an empty module covers any unit on that kernel
    }
}
