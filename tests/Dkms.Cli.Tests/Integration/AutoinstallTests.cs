using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>autoinstall and the kernel hooks: dependency order, failures, exclusions, versions.</summary>
public sealed class AutoinstallTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task Autoinstall_DependencyFirstFailureDoesNotStopOthers_Exit11()
    {
        using var s = new SideBySide();
        // "zbase" sorts last, so only BUILD_DEPENDS can put it before "adep".
        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("zbase").Dir])).ExitCode);
        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("adep").Conf("BUILD_DEPENDS=\"zbase\"").Dir])).ExitCode);
        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("bfail").CSource("bfail", "1.0", "syntax error here").Dir])).ExitCode);
        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("cmanual").Conf("AUTOINSTALL=\"\"").Dir])).ExitCode);
        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("dexcl").Conf("BUILD_EXCLUSIVE_ARCH=\"none\"").Dir])).ExitCode);
        var k = s.Ours.Kernel;
        var a = TestTrees.ArchName;

        var r = await s.SameAsync("autoinstall", "-k", k);

        Assert.Equal(11, r.ExitCode);
        var order = new[] { "M=<trees>/dkms/bfail/1.0/build...", "for module dexcl includes a BUILD_EXCLUSIVE", "\nzbase.ko:\n", "\nadep.ko:\n" }
            .Select(m => r.All.IndexOf(m, StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, order);
        Assert.True(order[2] < order[3], "BUILD_DEPENDS installs zbase before adep\n" + r);
        Assert.EndsWith("Error! One or more modules failed to install during autoinstall.\nRefer to previous errors for more information.\n",
            r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cmanual", r.All, StringComparison.Ordinal);
        Assert.Equal(
            $"adep/1.0, {k}, {a}: installed\nbfail/1.0: added\ncmanual/1.0: added\ndexcl/1.0: added\nzbase/1.0, {k}, {a}: installed\n",
            (await s.SameAsync("status")).Stdout);

        Assert.Equal(11, (await s.SameAsync("autoinstall", "-k", k)).ExitCode); // bfail still fails
    }

    [Fact]
    public async Task Autoinstall_UnresolvableDependency_ReportedExit11()
    {
        using var s = new SideBySide();
        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("orphan").Conf("BUILD_DEPENDS=\"nosuch\"").Dir])).ExitCode);

        var r = await s.SameAsync("autoinstall", "-k", s.Ours.Kernel);

        Assert.Equal(11, r.ExitCode);
        Assert.Equal("orphan/1.0 autoinstall failed due to missing dependencies: nosuch\n", r.Stdout);
    }

    [Fact]
    public async Task Autoinstall_NewestVersionOnly_AndNothingToDoIsSilent()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("ver", "1.9").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("ver", "1.10").Dir)).ExitCode);

        var r = await _t.RunAsync("autoinstall", "-k", _t.Kernel);
        var quiet = await _t.RunAsync("autoinstall", "-k", _t.Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"M={_t.DkmsTree}/ver/1.10/build...", r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("ver/1.9", r.Stdout, StringComparison.Ordinal);
        Assert.Equal($"ver/1.10, {_t.Kernel}, {TestTrees.ArchName}: installed\nver/1.9: added\n", (await _t.RunAsync("status")).Stdout);
        Assert.Equal(0, quiet.ExitCode);
        // Nothing queued: nothing printed. (dkms 3.0.10 would try ver/1.9 here: its autoinstall forgets that a newer
        // version is installed when an older one sorts after it.)
        Assert.Equal(string.Empty, quiet.Stdout);
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
        // Debian's /etc/kernel/prerm.d/dkms says this before each module it removes.
        Assert.Contains($"dkms: removing: one 1.0 ({_t.Kernel}) ({TestTrees.ArchName})\n", r.Stderr, StringComparison.Ordinal);
        Assert.Contains($"dkms: removing: two 1.0 ({_t.Kernel}) ({TestTrees.ArchName})\n", r.Stderr, StringComparison.Ordinal);
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
        Assert.Single(r.Stdout.Split('\n'), l => l == "depmod..."); // depmod runs once for the kernel, after the loop
        Assert.EndsWith("\ndepmod...\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nfirst.ko:\n - Uninstallation\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nsecond.ko:\n - Uninstallation\n", r.Stdout, StringComparison.Ordinal);
    }

    public void Dispose() => _t.Dispose();
}
