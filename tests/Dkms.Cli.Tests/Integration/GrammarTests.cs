using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>The global checks of dkms's command line (DKMS-SPEC §2.3, §2.4) through the real binary.</summary>
public sealed class GrammarTests : IDisposable
{
    private readonly TestTrees _t = new(withHeaders: false);

    [Theory]
    [InlineData(new object[] { new[] { "build", "--bogus" } })]
    [InlineData(new object[] { new[] { "build", "install", "m/1" } })]
    [InlineData(new object[] { new[] { "remove", "m/1", "-k", "6.1.0-1", "--all" } })]
    [InlineData(new object[] { new[] { "remove", "m/1", "-a", "x86_64", "--all" } })]
    [InlineData(new object[] { new[] { "build", "m/1", "--all" } })]
    [InlineData(new object[] { new[] { "build", "m/1", "-k", "a.1", "-k", "b.1", "-a", "x", "-a", "y", "-a", "z" } })]
    [InlineData(new object[] { new[] { "mktarball", "m/1", "--binaries-only", "--source-only" } })]
    [InlineData(new object[] { new[] { "remove" } })]
    [InlineData(new object[] { new[] { "uninstall", "m/1" } })]
    public async Task Run_BadCommandLine_ExitCodeAndErrorOfDkms(string[] args)
    {
        using var s = new SideBySide();

        var (ours, theirs) = await s.RunAsync(args);

        // The usage on stdout is dkmsctl's own under that name (AsDkms in LifecycleTests compares dkms's).
        SideBySide.AssertSame(theirs with { Stdout = string.Empty }, ours with { Stdout = string.Empty });
        Assert.StartsWith("Error! ", ours.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "kernel_prerm" }, 4, "The action kernel_prerm requires exactly one kernel version parameter on the command line.")]
    [InlineData(new[] { "build", "m/1", "--kernelsourcedir=" }, 2, "Option --kernelsourcedir needs a value.")]
    [InlineData(new[] { "add", "-c", "" }, 2, "Option -c needs a value.")]
    public async Task Run_BadCommandLine_DkmsExitCodeAndMessage(string[] args, int code, string message)
    {
        var r = await _t.RunAsync(args);

        Assert.Equal(code, r.ExitCode);
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("add", "add")]
    [InlineData("add", "add", "no-conf")]
    [InlineData("build", "add")] // build and install add the module first, so dkms prints add's usage
    [InlineData("install", "add")]
    [InlineData("uninstall", "uninstall")]
    [InlineData("unbuild", "unbuild")]
    [InlineData("remove", "remove")]
    [InlineData("mktarball", "mktarball")]
    public async Task Run_NoModuleVersion_UsageOfTheActionAsDkms(string action, string usageOf, string? directory = null)
    {
        string[] args = [action];
        if (directory is not null)
        {
            var dir = Path.Combine(_t.Packages, directory); // a directory without dkms.conf
            Directory.CreateDirectory(dir);
            args = [action, dir];
        }

        var r = await _t.RunAsync(args);

        Assert.Equal(1, r.ExitCode);
        Assert.EndsWith(
            "Error! Arguments <module> and <module-version> are not specified.\n" +
            $"Usage: {usageOf} <module>/<module-version> or\n" +
            $"       {usageOf} -m <module>/<module-version> or\n" +
            $"       {usageOf} -m <module> -v <module-version>\n",
            r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoAction_UsageAndExit2()
    {
        var r = await _t.RunAsync();

        Assert.Equal(2, r.ExitCode); // dkms exits 0 here (§13.8); a missing action is a usage error
        Assert.StartsWith("Usage: dkmsctl [action] [options]", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Quiet_PrintsNothingButKeepsExitCode()
    {
        var r = await _t.RunAsync("-q", "uninstall", "m/1");

        Assert.Equal(3, r.ExitCode);
        Assert.Equal(string.Empty, r.All);
    }

    [Fact]
    public async Task Status_EmptyTree_NothingAndExit0()
    {
        var r = await _t.RunAsync("status");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Empty, r.All);
    }

    [Fact]
    public async Task Status_FrameworkConfDefiningFunctions_DoesNotHijack()
    {
        Directory.CreateDirectory(Path.Combine(_t.EtcDir, "framework.conf.d"));
        File.WriteAllText(Path.Combine(_t.EtcDir, "framework.conf.d", "hijacking.conf"), "do_status() { echo hijacked; }\nstatus() { echo hijacked; }\n");

        var r = await _t.RunAsync("status", "-m", "dkms_test");

        Assert.Equal(string.Empty, r.All);
    }

    public void Dispose() => _t.Dispose();
}
