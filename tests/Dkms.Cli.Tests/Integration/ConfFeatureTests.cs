using System.Diagnostics;
using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>dkms.conf features on real builds: several modules, renames, -c, --directive, hooks, crashes.</summary>
public sealed class ConfFeatureTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task Install_SeveralModulesInSubdirsWithRename_AllInstalled()
    {
        var mod = _t.Module("pair")
            .Makefile("obj-m := first/ second/\n")
            .File_("first/Makefile", "obj-m := first.o\n")
            .File_("second/Makefile", "obj-m := second.o\n")
            .Conf("""
                BUILT_MODULE_NAME[1]="second"
                BUILT_MODULE_LOCATION[1]="second"
                DEST_MODULE_NAME[1]="second_renamed"
                DEST_MODULE_LOCATION[1]="/extra"
                BUILT_MODULE_NAME[0]="first"
                BUILT_MODULE_LOCATION[0]="first/"
                STRIP[0]="no"
                """);
        mod.CSource("first/first", "1.0").CSource("second/second", "1.0");
        File.Delete(Path.Combine(mod.Dir, "pair.c"));

        var r = await _t.RunAsync("install", "-k", _t.Kernel, mod.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(Path.Combine(_t.UpdatesDir, "first.ko")));
        Assert.True(File.Exists(Path.Combine(_t.UpdatesDir, "second_renamed.ko")));
        Assert.True(File.Exists(Path.Combine(_t.BuiltDir("pair", "1.0"), "module", "second_renamed.ko")));

        var uninstall = await _t.RunAsync("uninstall", "pair/1.0", "-k", _t.Kernel);
        Assert.Contains($"\nsecond_renamed.ko:\n - Uninstallation\n   - Deleting from: {_t.UpdatesDir}/\n", uninstall.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_t.UpdatesDir, "first.ko")));
    }

    [Fact]
    public async Task Add_ConfFileOption_ReadsThatConf()
    {
        var mod = _t.Module("alt");
        var other = Path.Combine(_t.Root, "other.conf");
        File.WriteAllText(other, "PACKAGE_NAME=alt\nPACKAGE_VERSION=1.0\nBUILT_MODULE_NAME[0]=alt\nDEST_MODULE_LOCATION[0]=/extra\nPOST_ADD=post.sh\n");
        mod.File_("post.sh", "#!/bin/sh\necho from-other-conf\n", executable: true);
        File.WriteAllText(Path.Combine(mod.Dir, "dkms.conf"), "this is not even bash (");

        var r = await _t.RunAsync("add", mod.Dir, "-c", other);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("from-other-conf", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_DirectiveOption_OverridesConf()
    {
        var mod = _t.Module("direct").Conf("MAKE[0]=\"false\"");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, mod.Dir,
            "--directive", $"MAKE=make -C {_t.KernelDir}/build M={_t.DkmsTree}/direct/1.0/build");

        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task Uninstall_PostRemoveAndPostInstall_Run()
    {
        using var s = new SideBySide();

        var install = await s.SameAsync(x => ["install", "-k", x.Kernel, x.Module("hooks")
            .File_("hook.sh", "#!/bin/sh\necho \"hook $1 in $(pwd)\"\n", executable: true)
            .Conf("POST_INSTALL=\"hook.sh post_install\"\nPOST_REMOVE=\"hook.sh post_remove\"").Dir]);
        var uninstall = await s.SameAsync("uninstall", "hooks/1.0", "-k", s.Ours.Kernel);

        // dkms cd's into the module's source link first.
        Assert.Contains("\nRunning the post_install script:\nhook post_install in <trees>/dkms/hooks/1.0/source\n", install.Stdout, StringComparison.Ordinal);
        Assert.Contains("\nRunning the post_remove script:\nhook post_remove in <trees>/dkms/hooks/1.0/source\n", uninstall.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_DeprecatedDirective_WarnedOncePerRun()
    {
        var mod = _t.Module("old").Conf("REMAKE_INITRD=yes\nMODULES_CONF[0]=\"alias foo old\"\nCLEAN=\"make clean\"");

        var r = await _t.RunAsync("install", "-k", _t.Kernel, mod.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        var warnings = r.Stderr.Split('\n').Where(l => l.StartsWith("Deprecated feature:", StringComparison.Ordinal)).ToList();
        Assert.Equal(
        [
            $"Deprecated feature: REMAKE_INITRD ({_t.SourceTree}/old-1.0/dkms.conf)",
            $"Deprecated feature: MODULES_CONF ({_t.SourceTree}/old-1.0/dkms.conf)",
            $"Deprecated feature: REMAKE_INITRD ({_t.DkmsTree}/old/1.0/source/dkms.conf)",
            $"Deprecated feature: MODULES_CONF ({_t.DkmsTree}/old/1.0/source/dkms.conf)",
        ], warnings); // once at add (the source path), once for the build and install that share a read
    }

    [Fact]
    public async Task Build_Sigterm_StopsTheBuildGroupAndExits143()
    {
        var marker = "dkmsd-term-" + Guid.NewGuid().ToString("N")[..8];
        var mod = _t.Module("term").File_("slow.sh", $"#!/bin/sh\nsh -c 'sleep 300; : {marker}'\n", executable: true).Conf("PRE_BUILD=\"slow.sh\"");
        Assert.Equal(0, (await _t.RunAsync("add", mod.Dir)).ExitCode);
        var psi = new ProcessStartInfo(DkmsCtl.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment[DkmsCtl.OfflineVariable] = "1";
        foreach (var a in _t.TreeArgs.Concat(["build", "term/1.0", "-k", _t.Kernel]))
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ProcessesWith(marker).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.NotEmpty(ProcessesWith(marker));
        _ = Dkms.Cli.Tests.Infrastructure.Signals.Send(process.Id, 15);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);

        Assert.Equal(143, process.ExitCode);
        Assert.Empty(ProcessesWith(marker));
        Assert.Equal("term/1.0: added\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Build_KilledMidBuild_TreeConsistentAndRebuildWorks()
    {
        // Unsandboxed (dkms's way), a killed dkmsctl's build group outlives it: the next build must stop it.
        File.WriteAllText(_t.FrameworkConf, "build_sandbox=\"none\"\n");
        var marker = "dkmsd-orphan-" + Guid.NewGuid().ToString("N")[..8];
        var mod = _t.Module("crash").File_("slow.sh", $"#!/bin/sh\nsh -c 'sleep 300; : {marker}'\n", executable: true).Conf("PRE_BUILD=\"slow.sh\"");
        Assert.Equal(0, (await _t.RunAsync("add", mod.Dir)).ExitCode);
        await KillMidPreBuildAsync(marker);

        Assert.Equal("crash/1.0: added\n", (await _t.RunAsync("status")).Stdout);
        Assert.NotEmpty(ProcessesWith(marker)); // the killed dkmsctl's build group lives on in its own session
        File.WriteAllText(Path.Combine(_t.SourceTree, "crash-1.0", "slow.sh"), "#!/bin/sh\nexit 0\n");
        var rebuild = await _t.RunAsync("build", "crash/1.0", "-k", _t.Kernel);
        Assert.True(rebuild.ExitCode == 0, rebuild.ToString());
        Assert.Contains("Stopped a build of crash/1.0 left running by a process that was killed.", rebuild.Stderr, StringComparison.Ordinal);
        Assert.Empty(ProcessesWith(marker));
        Assert.EndsWith(": built\n", (await _t.RunAsync("status")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_KilledMidBuild_Sandboxed_NothingOutlivesIt()
    {
        var marker = "dkmsd-orphan-" + Guid.NewGuid().ToString("N")[..8];
        var mod = _t.Module("crash").File_("slow.sh", $"#!/bin/sh\nsetsid sh -c 'sleep 300; : {marker}'\n", executable: true).Conf("PRE_BUILD=\"slow.sh\"");
        Assert.Equal(0, (await _t.RunAsync("add", mod.Dir)).ExitCode);
        await KillMidPreBuildAsync(marker);

        for (var i = 0; i < 50 && ProcessesWith(marker).Count > 0; i++)
        {
            await Task.Delay(100); // the sandbox's PID namespace ends with its parent
        }

        Assert.Empty(ProcessesWith(marker));
        Assert.Equal("crash/1.0: added\n", (await _t.RunAsync("status")).Stdout);
    }

    /// <summary>Starts <c>build crash/1.0</c> in-process, waits until its PRE_BUILD runs (a process with <paramref name="marker"/>), then SIGKILLs dkmsctl.</summary>
    private async Task KillMidPreBuildAsync(string marker)
    {
        var psi = new ProcessStartInfo(DkmsCtl.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment[DkmsCtl.OfflineVariable] = "1";
        foreach (var a in _t.TreeArgs.Concat(["build", "crash/1.0", "-k", _t.Kernel]))
        {
            psi.ArgumentList.Add(a);
        }

        using var victim = Process.Start(psi)!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (ProcessesWith(marker).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100); // PRE_BUILD is running
        }

        Assert.NotEmpty(ProcessesWith(marker));
        victim.Kill(); // SIGKILL: no cleanup of any kind runs
        await victim.WaitForExitAsync();
    }

    private static List<int> ProcessesWith(string marker) =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName)
            .Where(n => n!.All(char.IsAsciiDigit))
            .Select(n => (Pid: int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture), Cmd: ReadCmdline(n!)))
            .Where(p => p.Cmd.Contains(marker, StringComparison.Ordinal))
            .Select(p => p.Pid).ToList();

    private static string ReadCmdline(string pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    public void Dispose() => _t.Dispose();
}
