using Dkms.Core.Actions;
using Dkms.Core.Commands;
using Dkms.Core.Errors;
using Dkms.Core.Platform;

namespace Dkms.Core.Tests.Commands;

public sealed class TargetSpecTests
{
    [Fact]
    public void Pair_KernelArchThenOneArchThenArchByPosition()
    {
        Assert.Equal([new TargetSpec("6.1", "a1"), new TargetSpec("6.2", "x")], TargetSpec.Pair(["6.1", "6.2"], ["a1", null], ["x"]));
        Assert.Equal([new TargetSpec("6.1", "x"), new TargetSpec("6.2", "y")], TargetSpec.Pair(["6.1", "6.2"], [null, null], ["x", "y"]));
        Assert.Equal([new TargetSpec("6.1", "")], TargetSpec.Pair(["6.1"], [null], []));
    }

    [Fact]
    public void Pair_ArchWithoutKernel_TheRunningKernelOnThatArch()
    {
        var spec = Assert.Single(TargetSpec.Pair([], [], ["aarch64"]));

        Assert.Equal(new KernelTarget("6.9-run", "aarch64"), spec.Resolve("6.9-run"));
    }

    [Fact]
    public void Resolve_NoneGiven_TheRunningKernelAndMachineArch()
    {
        var arch = SystemInfo.MachineArch();
        Assert.Equal([new KernelTarget("6.9-run", arch)], TargetSpec.Resolve([], "6.9-run"));
        Assert.Equal(new KernelTarget("6.9-run", arch), TargetSpec.Resolve((TargetSpec?)null, "6.9-run"));
    }

    [Fact]
    public void Resolve_All_WhatIsBuiltNotTheKernelsGiven()
    {
        var built = TargetSpec.Resolve([], all: true, "6.9-run", () => [new KernelTarget("6.1", "x")]);

        Assert.Equal([new KernelTarget("6.1", "x")], built);
    }

    [Fact]
    public void Resolve_KernelWithSlash_Refused()
    {
        var e = Assert.Throws<DkmsException>(() => new TargetSpec("../6.1", "").Resolve("r"));

        Assert.Equal(DkmsErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void ForStatus_KernelWithoutArch_MatchesEveryArch()
    {
        Assert.Equal(new KernelTarget("6.1", ""), new TargetSpec("6.1", "").ForStatus());
    }
}
