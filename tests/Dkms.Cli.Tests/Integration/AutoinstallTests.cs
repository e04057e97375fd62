using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>autoinstall and the kernel hooks: dependency order, failures, exclusions, versions.</summary>
public sealed class AutoinstallTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task Autoinstall_DependencyFirstFailureDoesNotStopOthers_Exit11()
    {
        // "zbase" sorts last, so only BUILD_DEPENDS can put it before "adep".
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("zbase").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("adep").Conf("BUILD_DEPENDS=\"zbase\"").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("bfail").CSource("bfail", "1.0", "syntax error here").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("cmanual").Conf("AUTOINSTALL=\"\"").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("dexcl").Conf("BUILD_EXCLUSIVE_ARCH=\"none\"").Dir)).ExitCode);
        var k = _t.Kernel;
        var a = TestTrees.ArchName;

        var r = await _t.RunAsync("autoinstall", "-k", k);

        Assert.Equal(11, r.ExitCode);
        var order = new[] { "bfail", "dexcl", "zbase", "adep" }
            .Select(m => r.Stdout.IndexOf($"Autoinstall of module {m}/1.0 for kernel {k} ({a})", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.True(order[2] < order[3], "BUILD_DEPENDS installs zbase before adep\n" + r);
        Assert.Contains($"Autoinstall on {k} succeeded for module(s) zbase adep.", r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Autoinstall on {k} was skipped for module(s) dexcl.", r.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Autoinstall on {k} failed for module(s) bfail(10).", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Error! One or more modules failed to install during autoinstall.", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cmanual", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(
            $"adep/1.0, {k}, {a}: installed\nbfail/1.0: added\ncmanual/1.0: added\ndexcl/1.0: added\nzbase/1.0, {k}, {a}: installed\n",
            (await _t.RunAsync("status")).Stdout);

        var again = await _t.RunAsync("autoinstall", "-k", k);
        Assert.Equal(11, again.ExitCode); // bfail still fails; installed ones are counted as succeeded
        Assert.Contains($"Autoinstall on {k} succeeded for module(s) adep zbase.", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall_UnresolvableDependency_ReportedExit11()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("orphan").Conf("BUILD_DEPENDS=\"nosuch\"").Dir)).ExitCode);

        var r = await _t.RunAsync("autoinstall", "-k", _t.Kernel);

        Assert.Equal(11, r.ExitCode);
        Assert.Contains("orphan/1.0 autoinstall failed due to missing dependencies: nosuch.", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall_NewestVersionOnly_AndNothingToDoIsSilent()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("ver", "1.9").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("ver", "1.10").Dir)).ExitCode);

        var r = await _t.RunAsync("autoinstall", "-k", _t.Kernel);
        var quiet = await _t.RunAsync("autoinstall", "-k", _t.Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Autoinstall of module ver/1.10", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ver/1.9 for kernel", r.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, quiet.ExitCode);
        Assert.Equal(string.Empty, quiet.Stdout); // nothing queued: dkms prints nothing
    }

    [Fact]
    public async Task Autoinstall_DisabledByNoAutoinstallFile()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("off").Dir)).ExitCode);
        File.WriteAllText(Path.Combine(_t.EtcDir, "no-autoinstall"), string.Empty);

        var r = await _t.RunAsync("autoinstall", "-k", _t.Kernel);

        Assert.Equal("Automatic installation of modules has been disabled.\n", r.Stdout);
        Assert.Equal("off/1.0: added\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Autoinstall_Grammar_OneKernelAndNoAll()
    {
        Assert.Equal(4, (await _t.RunAsync("autoinstall", "-k", "1.0.0-a", "-k", "1.0.0-b")).ExitCode);
        Assert.Equal(5, (await _t.RunAsync("autoinstall", "--all")).ExitCode);
    }

    [Fact]
    public async Task KernelPrerm_RemovesEveryModuleOfTheKernel()
    {
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("one").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("build", "-k", _t.Kernel, _t.Module("two").Conf("AUTOINSTALL=no").Dir)).ExitCode);

        var r = await _t.RunAsync("kernel_prerm", "-k", _t.Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"dkms: removing module one/1.0 for kernel {_t.Kernel}", r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"dkms: removing module two/1.0 for kernel {_t.Kernel}", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("one/1.0: added\ntwo/1.0: added\n", (await _t.RunAsync("status")).Stdout);
        Assert.False(Directory.Exists(Path.Combine(_t.KernelDir, "updates")));
    }

    [Fact]
    public async Task KernelPrerm_TwoInstalledModules_DepmodLineOnce()
    {
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("first").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, _t.Module("second").Dir)).ExitCode);

        var r = await _t.RunAsync("kernel_prerm", "-k", _t.Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Single(r.Stdout.Split('\n'), l => l == "Running depmod... done."); // depmod runs once for the kernel, after the loop
        Assert.EndsWith("\nRunning depmod... done.\n", r.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _t.Dispose();
}
