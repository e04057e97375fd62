using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Sandbox;

/// <summary>Unit: the sandboxed-vs-unsandboxed comparison on hand-made results (no build).</summary>
public sealed class SandboxParityCheckTests
{
    private static readonly SandboxParityCheck.MakeLog Log = SandboxParityCheck.MakeLog.Parse(
        "DKMS make.log for m-1 for kernel 6.1.0-1-amd64 (x86_64)\n  CC [M]  <dkmstree>/m/1/build/m.o\n  MODPOST <dkmstree>/m/1/build/Module.symvers\n"
        + "  LD [M]  <dkmstree>/m/1/build/m.ko\n");

    private static RunResult Built(string label) => new(label, 0, "m", "1", ["m/1, 6.1.0-1-amd64, x86_64: installed"],
        ["updates/dkms/m.ko"], ["updates/dkms/m.ko"], ["m"], [], TimeSpan.FromSeconds(3), string.Empty);

    [Fact]
    public void Compare_SameRuns_ReportsNothing()
    {
        Assert.Empty(SandboxParityCheck.Compare(Built("bwrap"), Built("none"), Log, Log));
    }

    [Fact]
    public void Compare_SandboxedFailsWhereUnsandboxedBuilds_ReportsExitStatusAndModules()
    {
        var failed = Built("bwrap") with { ExitCode = 10, StatusLines = ["m/1: added"], InstalledModules = [], BuiltModules = [] };

        var failures = SandboxParityCheck.Compare(failed, Built("none"), SandboxParityCheck.MakeLog.Parse("bash: /etc/x: Read-only file system\n"), Log);

        Assert.Contains(failures, f => f.StartsWith("exit code: none 0, bwrap 10", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("status lines:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("installed module files:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("built .ko files", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("make.log kbuild lines:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("make.log errors only sandboxed: bash: /etc/x: Read-only file system", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_MakeLogMissingOnOneSide_Reported()
    {
        Assert.Contains(SandboxParityCheck.Compare(Built("bwrap"), Built("none"), null, Log), f => f.StartsWith("make.log:", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_BothFailWithAnErrorInCommon_Same()
    {
        var a = SandboxParityCheck.MakeLog.Parse("x.c:1:1: error: foo\ny.c:2:1: error: bar\nmake: *** [all] Error 2\n");
        var b = SandboxParityCheck.MakeLog.Parse("x.c:1:1: error: foo\nmake: *** [all] Error 2\n"); // make -j2 stopped before y.c
        var failed = Built("x") with { ExitCode = 10, StatusLines = ["m/1: added"], InstalledModules = [], BuiltModules = [] };

        Assert.Empty(SandboxParityCheck.Compare(failed, failed, a, b));
    }
}
