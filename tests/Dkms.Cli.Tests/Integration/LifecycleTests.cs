using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>Every action on a real module built against the real headers, with dkms's output and exit codes.</summary>
public sealed class LifecycleTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task FullLifecycle_AddBuildInstallUninstallUnbuildRemove_MatchesDkms()
    {
        var mod = _t.Module("hello");
        var k = _t.Kernel;
        var a = TestTrees.ArchName;

        var add = await _t.RunAsync("add", mod.Dir);
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Equal($"Creating symlink {_t.DkmsTree}/hello/1.0/source -> {_t.SourceTree}/hello-1.0\n", add.Stdout);
        Assert.True(File.Exists(Path.Combine(_t.SourceTree, "hello-1.0", "dkms.conf")));
        Assert.Equal("hello/1.0: added\n", (await _t.RunAsync("status")).Stdout);

        var again = await _t.RunAsync("add", "-m", "hello", "-v", "1.0");
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("Error! DKMS tree already contains: hello/1.0", again.Stderr, StringComparison.Ordinal);

        var build = await _t.RunAsync("build", "hello/1.0", "-k", k);
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Contains("Building module(s)... done.", build.Stdout, StringComparison.Ordinal);
        Assert.Equal($"hello/1.0, {k}, {a}: built\n", (await _t.RunAsync("status")).Stdout);
        Assert.True(File.Exists(Path.Combine(_t.BuiltDir("hello", "1.0"), "module", "hello.ko")));
        var log = await File.ReadAllTextAsync(Path.Combine(_t.BuiltDir("hello", "1.0"), "log", "make.log"));
        Assert.StartsWith($"DKMS (dkms-3.0.10) make.log for hello/1.0 for kernel {k} ({a})\n", log, StringComparison.Ordinal);
        Assert.Contains($"# command: make -j2 KERNELRELEASE={k} -C {_t.KernelDir}/build M={_t.DkmsTree}/hello/1.0/build", log, StringComparison.Ordinal);
        Assert.Contains("# exit code: 0", log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "hello", "1.0", "build")), "build/ is removed after a successful build");

        var rebuild = await _t.RunAsync("build", "hello/1.0", "-k", k);
        Assert.Equal(0, rebuild.ExitCode);
        Assert.Equal($"Module hello/1.0 already built for kernel {k} ({a}), skip. You may override by specifying --force.\n", rebuild.Stdout);

        var install = await _t.RunAsync("install", "hello/1.0", "-k", k);
        Assert.True(install.ExitCode == 0, install.ToString());
        Assert.Equal($"Installing {_t.UpdatesDir}/hello.ko\nRunning depmod... done.\n", install.Stdout);
        Assert.True(File.Exists(Path.Combine(_t.UpdatesDir, "hello.ko")));
        Assert.Contains("updates/dkms/hello.ko:", await File.ReadAllTextAsync(Path.Combine(_t.KernelDir, "modules.dep")), StringComparison.Ordinal);
        Assert.Equal($"hello/1.0, {k}, {a}: installed\n", (await _t.RunAsync("status")).Stdout);
        Assert.Equal($"1.0/{k}/{a}", new FileInfo(Path.Combine(_t.DkmsTree, "hello", $"kernel-{k}-{a}")).LinkTarget);

        var reinstall = await _t.RunAsync("install", "hello/1.0", "-k", k);
        Assert.Equal($"Module hello/1.0 already installed on kernel {k} ({a}), skip. You may override by specifying --force.\n", reinstall.Stdout);

        var uninstall = await _t.RunAsync("uninstall", "hello/1.0", "-k", k);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.Equal(
            $"Module hello/1.0 for kernel {k} ({a}):\nBefore uninstall, this module version was ACTIVE on this kernel.\nDeleting {_t.UpdatesDir}/hello.ko\nRunning depmod... done.\n",
            uninstall.Stdout);
        Assert.False(Directory.Exists(Path.Combine(_t.KernelDir, "updates")), "empty directories are pruned");
        Assert.Equal($"hello/1.0, {k}, {a}: built\n", (await _t.RunAsync("status")).Stdout);

        var uninstallAgain = await _t.RunAsync("uninstall", "hello/1.0", "-k", k);
        Assert.Equal($"Module hello/1.0 is not installed for kernel {k} ({a}). Skipping...\n", uninstallAgain.Stdout);

        var unbuild = await _t.RunAsync("unbuild", "hello/1.0", "-k", k);
        Assert.Equal(0, unbuild.ExitCode);
        Assert.Equal("hello/1.0: added\n", (await _t.RunAsync("status")).Stdout);

        var remove = await _t.RunAsync("remove", "hello/1.0", "-k", k);
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.EndsWith("Deleting module hello/1.0 completely from the DKMS tree.\n", remove.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await _t.RunAsync("status")).Stdout);
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "hello")));
        Assert.True(Directory.Exists(Path.Combine(_t.SourceTree, "hello-1.0")), "remove never deletes the source tree copy");

        var notAdded = await _t.RunAsync("remove", "hello/1.0", "--all");
        Assert.Equal(3, notAdded.ExitCode);
        Assert.Contains("The module/version combo: hello/1.0 is not located in the DKMS tree.", notAdded.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_FromSourcePathWithNothingAdded_AddsBuildsAndInstalls()
    {
        var mod = _t.Module("direct");

        var r = await _t.RunAsync("install", "-k", _t.Kernel, mod.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith($"Creating symlink {_t.DkmsTree}/direct/1.0/source -> {_t.SourceTree}/direct-1.0\n\n", r.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_t.UpdatesDir, "direct.ko")));

        var remove = await _t.RunAsync("remove", "direct/1.0", "--all");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Contains("Deleting module direct/1.0 completely from the DKMS tree.", remove.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_t.UpdatesDir, "direct.ko")));
    }

    [Fact]
    public async Task Install_Force_ReinstallsAndStatusDetectsTampering()
    {
        var mod = _t.Module("forced");
        Assert.Equal(0, (await _t.RunAsync("install", "-k", _t.Kernel, mod.Dir)).ExitCode);
        await File.AppendAllTextAsync(Path.Combine(_t.UpdatesDir, "forced.ko"), "tampered");

        var status = await _t.RunAsync("status", "forced");
        Assert.EndsWith("installed (WARNING! Diff between built and installed module!)\n", status.Stdout, StringComparison.Ordinal);

        var force = await _t.RunAsync("install", "forced/1.0", "-k", _t.Kernel, "--force");
        Assert.True(force.ExitCode == 0, force.ToString());
        Assert.Contains("Before uninstall, this module version was ACTIVE on this kernel.", force.Stdout, StringComparison.Ordinal);
        Assert.EndsWith(": installed\n", (await _t.RunAsync("status", "forced")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_FiltersAndJson()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("alpha").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("beta", "2.0").Dir)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("build", "beta/2.0", "-k", _t.Kernel)).ExitCode);
        var k = _t.Kernel;
        var a = TestTrees.ArchName;

        Assert.Equal($"alpha/1.0: added\nbeta/2.0, {k}, {a}: built\n", (await _t.RunAsync("status")).Stdout);
        Assert.Equal("alpha/1.0: added\n", (await _t.RunAsync("status", "alpha")).Stdout);
        Assert.Equal($"beta/2.0, {k}, {a}: built\n", (await _t.RunAsync("status", "-m", "beta", "-v", "2.0")).Stdout);
        Assert.Equal("alpha/1.0: added\nbeta/2.0: added\n", (await _t.RunAsync("status", "-k", "9.9.9-other")).Stdout);

        var json = await _t.RunAsync("status", "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Stdout);
        var beta = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("module").GetString() == "beta");
        Assert.Equal("built", beta.GetProperty("state").GetString());
        Assert.Equal(k, beta.GetProperty("kernel").GetString());
    }

    [Fact]
    public async Task Status_SourceDirectoryGone_ReportsBroken()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("gone").Dir)).ExitCode);
        Directory.Delete(Path.Combine(_t.SourceTree, "gone-1.0"), recursive: true);

        var status = await _t.RunAsync("status");
        Assert.Equal("gone/1.0: broken\n", status.Stdout);
        Assert.Contains("Error! gone/1.0: Missing the module source directory or the symbolic link pointing to it.", status.Stderr, StringComparison.Ordinal);

        var build = await _t.RunAsync("build", "gone/1.0", "-k", _t.Kernel);
        Assert.Equal(4, build.ExitCode);
        Assert.Contains("gone/1.0 is broken!", build.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_SeveralKernels_EachHandledOneFailureReported()
    {
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("multi").Dir)).ExitCode);

        var r = await _t.RunAsync("build", "multi/1.0", "-k", "9.9.9-noheaders", "-k", _t.Kernel);

        Assert.Equal(21, r.ExitCode); // dkms returns only the last kernel's status (0); dkmsd reports the failure
        Assert.Contains("Your kernel headers for kernel 9.9.9-noheaders cannot be found", r.Stderr, StringComparison.Ordinal);
        Assert.EndsWith($": built\n", (await _t.RunAsync("status", "multi")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokedAsDkms_BehavesAsDkms()
    {
        Directory.CreateDirectory(Path.Combine(_t.Root, "bin"));
        var link = Path.Combine(_t.Root, "bin", "dkms");
        File.CreateSymbolicLink(link, DkmsCtl.Binary);

        var version = await DkmsCtl.RunAsync(["--version"], program: link);
        var add = await DkmsCtl.RunAsync([.. _t.TreeArgs, "add", _t.Module("viadkms").Dir], program: link);
        var help = await DkmsCtl.RunAsync(["--help"], program: link);

        Assert.Equal("dkms-3.0.10\n", version.Stdout);
        Assert.Equal(0, add.ExitCode);
        Assert.StartsWith("Usage: dkms [action] [options]", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDepmod_PrintsLineButLeavesNoIndex()
    {
        var r = await _t.RunAsync("install", "-k", _t.Kernel, "--no-depmod", _t.Module("nodep").Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Running depmod... done.", r.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_t.KernelDir, "modules.dep")));
    }

    public void Dispose() => _t.Dispose();
}
