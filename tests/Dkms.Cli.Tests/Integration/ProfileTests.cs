using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>dkmsctl under each profile (DKMS_COMPAT): -V, --version, usage errors; a value that names none is refused.</summary>
public sealed class ProfileTests : IDisposable
{
    private readonly TestTrees _t = new();

    public void Dispose() => _t.Dispose();

    private string DkmsLink()
    {
        Directory.CreateDirectory(Path.Combine(_t.Root, "bin"));
        var link = Path.Combine(_t.Root, "bin", "dkms");
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, DkmsCtl.Binary);
        }

        return link;
    }

    private static Dictionary<string, string> Compat(string value) => new() { ["DKMS_COMPAT"] = value };

    [Theory]
    [InlineData("3.0", "dkms-3.0.10")]
    [InlineData("3.2", "dkms-3.2.2")]
    [InlineData("3.4.3", "dkms-3.4.3")]
    public async Task Version_InvokedAsDkms_ProfileRelease(string compat, string expected)
    {
        var r = await DkmsCtl.RunAsync(["-V"], program: DkmsLink(), environment: Compat(compat));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected + "\n", r.Stdout);
    }

    [Fact]
    public async Task Version_Dkmsctl_NamesProfileAndWhatChoseIt()
    {
        var r = await DkmsCtl.RunAsync([.. _t.TreeArgs, "--version"], environment: Compat("3.4"));

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("(compatible with dkms-3.4.3)\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("dkms profile: 3.4 (dkms-3.4.3) (from DKMS_COMPAT)\n", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_FrameworkConf_ChoosesProfile()
    {
        File.WriteAllText(_t.FrameworkConf, "dkms_compat=\"3.2\"\n");

        var r = await DkmsCtl.RunAsync([.. _t.TreeArgs, "--version"]);

        Assert.Contains("dkms profile: 3.2 (dkms-3.2.2) (from dkms_compat)\n", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_32_BlankLineErrorAnd32Usage()
    {
        var link = DkmsLink();

        var r = await DkmsCtl.RunAsync(["--bogus"], program: link, environment: Compat("3.2"));

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("\nError! Unknown option: --bogus\n", r.Stderr);
        Assert.StartsWith($"Usage: {link} [action] [options]\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("kernel_preinst | kernel_postinst | kernel_prerm }", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DkmsCompat_NamesNoProfile_RefusedExit1()
    {
        var r = await DkmsCtl.RunAsync([.. _t.TreeArgs, "status"], environment: Compat("3.1"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("DKMS_COMPAT='3.1' names no dkms profile; use 3.0, 3.2 or 3.4.", r.Stderr, StringComparison.Ordinal);
    }
}
