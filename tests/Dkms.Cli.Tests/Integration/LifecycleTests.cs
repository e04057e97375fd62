using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>Every action on a real module built against the real headers, with dkms's output and exit codes.</summary>
public sealed class LifecycleTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task FullLifecycle_AddBuildInstallUninstallUnbuildRemove_MatchesDkms()
    {
        using var s = new SideBySide();
        var t = s.Ours;
        var k = t.Kernel;
        var a = TestTrees.ArchName;

        Assert.Equal(0, (await s.SameAsync(x => ["add", x.Module("hello").Dir])).ExitCode);
        Assert.True(File.Exists(Path.Combine(t.SourceTree, "hello-1.0", "dkms.conf")));
        Assert.Equal("hello/1.0: added\n", (await s.SameAsync("status")).Stdout);

        Assert.Equal(3, (await s.SameAsync("add", "-m", "hello", "-v", "1.0")).ExitCode);

        Assert.Equal(0, (await s.SameAsync("build", "hello/1.0", "-k", k)).ExitCode);
        Assert.Equal($"hello/1.0, {k}, {a}: built\n", (await s.SameAsync("status")).Stdout);
        Assert.True(File.Exists(Path.Combine(t.BuiltDir("hello", "1.0"), "module", "hello.ko")));
        var (log, theirLog) = s.Files($"dkms/hello/1.0/{k}/{a}/log/make.log");
        Assert.StartsWith($"DKMS make.log for hello-1.0 for kernel {k} ({a})\n", log, StringComparison.Ordinal);
        Assert.Equal(WithoutDateLine(theirLog), WithoutDateLine(log));
        Assert.False(Directory.Exists(Path.Combine(t.DkmsTree, "hello", "1.0", "build")), "build/ is removed after a successful build");

        Assert.Equal(0, (await s.SameAsync("build", "hello/1.0", "-k", k)).ExitCode);

        Assert.Equal(0, (await s.SameAsync("install", "hello/1.0", "-k", k)).ExitCode);
        Assert.True(File.Exists(Path.Combine(t.UpdatesDir, "hello.ko")));
        Assert.Contains("updates/dkms/hello.ko:", await File.ReadAllTextAsync(Path.Combine(t.KernelDir, "modules.dep")), StringComparison.Ordinal);
        Assert.Equal($"hello/1.0, {k}, {a}: installed\n", (await s.SameAsync("status")).Stdout);
        Assert.Equal($"1.0/{k}/{a}", new FileInfo(Path.Combine(t.DkmsTree, "hello", $"kernel-{k}-{a}")).LinkTarget);

        Assert.Equal(0, (await s.SameAsync("install", "hello/1.0", "-k", k)).ExitCode);

        Assert.Equal(0, (await s.SameAsync("uninstall", "hello/1.0", "-k", k)).ExitCode);
        Assert.False(Directory.Exists(Path.Combine(t.KernelDir, "updates")), "empty directories are pruned");
        Assert.Equal($"hello/1.0, {k}, {a}: built\n", (await s.SameAsync("status")).Stdout);

        Assert.Equal(0, (await s.SameAsync("uninstall", "hello/1.0", "-k", k)).ExitCode);

        Assert.Equal(0, (await s.SameAsync("unbuild", "hello/1.0", "-k", k)).ExitCode);
        Assert.Equal("hello/1.0: added\n", (await s.SameAsync("status")).Stdout);

        Assert.Equal(0, (await s.SameAsync("remove", "hello/1.0", "-k", k)).ExitCode);
        Assert.Equal(string.Empty, (await s.SameAsync("status")).Stdout);
        Assert.False(Directory.Exists(Path.Combine(t.DkmsTree, "hello")));
        Assert.True(Directory.Exists(Path.Combine(t.SourceTree, "hello-1.0")), "remove never deletes the source tree copy");

        Assert.Equal(3, (await s.SameAsync("remove", "hello/1.0", "--all")).ExitCode);
    }

    [Fact]
    public async Task Install_FromSourcePathWithNothingAdded_AddsBuildsAndInstalls()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync(x => ["install", "-k", x.Kernel, x.Module("direct").Dir]);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Creating symlink <trees>/dkms/direct/1.0/source -> <trees>/src/direct-1.0\n\nBuilding module:\n", r.Stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(s.Ours.UpdatesDir, "direct.ko")));

        Assert.Equal(0, (await s.SameAsync("remove", "direct/1.0", "--all")).ExitCode);
        Assert.False(File.Exists(Path.Combine(s.Ours.UpdatesDir, "direct.ko")));
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
        ReferenceDkms.Require();
        Directory.CreateDirectory(Path.Combine(_t.Root, "bin"));
        var link = Path.Combine(_t.Root, "bin", "dkms");
        File.CreateSymbolicLink(link, DkmsCtl.Binary);

        var version = await DkmsCtl.RunAsync(["--version"], program: link);
        var add = await DkmsCtl.RunAsync([.. _t.TreeArgs, "add", _t.Module("viadkms").Dir], program: link);
        var bogus = await DkmsCtl.RunAsync(["--bogus"], program: link);
        var theirs = await ReferenceDkms.RunAsync(_t, "--bogus");

        Assert.Equal("dkms-3.0.10\n", version.Stdout);
        Assert.Equal(0, add.ExitCode);
        // dkms's usage names the script as bash's $0 does: the path it was started by.
        SideBySide.AssertSame(theirs with { Stdout = theirs.Stdout.Replace(ReferenceDkms.Binary, link, StringComparison.Ordinal) }, bogus);
        Assert.StartsWith($"Usage: {link} [action] [options]\n", bogus.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDepmod_PrintsLineButLeavesNoIndex()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync(x => ["install", "-k", x.Kernel, "--no-depmod", x.Module("nodep").Dir]);

        Assert.Equal(0, r.ExitCode);
        Assert.EndsWith("\ndepmod...\n", r.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(s.Ours.KernelDir, "modules.dep")));
    }

    private static string WithoutDateLine(string makeLog) => string.Join('\n', makeLog.Split('\n').Where((_, i) => i != 1));

    public void Dispose() => _t.Dispose();
}
