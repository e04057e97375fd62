using Dkms.Core.Actions;
using Dkms.Core.Compat;
using Dkms.Core.Errors;
using Dkms.Core.Tests.Actions;

namespace Dkms.Core.Tests.Compat;

/// <summary>The rules a profile decides, on the engine with fake make/depmod (EngineFixture's temporary trees).</summary>
public sealed class ProfileBehaviourTests : IDisposable
{
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static readonly KernelTarget T = EngineFixture.Target;

    private static async Task<int> CodeOf(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (DkmsException e)
        {
            return e.ExitCode;
        }
    }

    private async Task<string[]> StatusLinesAsync() =>
        [.. (await _f.Engine.Context.Status.ReadAsync(null, null, null)).Select(e => e.ToLine())];

    private string ModuleDirOf(ModuleRef mv) => Path.Combine(_f.BuiltDir(mv), "module");

    // rt34's per_module_config_exclusive: module 1's own restriction leaves it out; the package builds with module 0.
    [Fact]
    public async Task Build_PerModuleExclusive34_OnlyMatchingModuleBuilt()
    {
        _f.UseProfile(DkmsProfile.V34);
        var mv = await _f.AddModuleAsync("pm", extraConf: "BUILD_EXCLUSIVE_KERNEL[1]=\"^99\\..*\"\n", modules: ["mod1", "mod2"]);

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.True(File.Exists(Path.Combine(ModuleDirOf(mv), "mod1.ko")));
        Assert.False(File.Exists(Path.Combine(ModuleDirOf(mv), "mod2.ko")));
        Assert.Equal([$"pm/1.0, {EngineFixture.Kernel}, {EngineFixture.Arch}: built"], await StatusLinesAsync());
    }

    [Fact]
    public async Task Build_PerModuleExclusive30_IndexIgnoredBothBuilt()
    {
        var mv = await _f.AddModuleAsync("pm", extraConf: "BUILD_EXCLUSIVE_KERNEL[1]=\"^99\\..*\"\n", modules: ["mod1", "mod2"]);

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.True(File.Exists(Path.Combine(ModuleDirOf(mv), "mod2.ko")));
    }

    // rt34's per_module_config_test: index 0 is bash's "global" value, so it excludes every module: exit 77, a warning.
    [Fact]
    public async Task Build_IndexZeroExcludes34_WholePackageSkipped77Warning()
    {
        _f.UseProfile(DkmsProfile.V34);
        var mv = await _f.AddModuleAsync("pm", extraConf: "BUILD_EXCLUSIVE_KERNEL[0]=\"^99\\..*\"\nBUILD_EXCLUSIVE_KERNEL_MIN[1]=1.0\n", modules: ["mod1", "mod2"]);

        Assert.Equal(77, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("Warning: The ", _f.Stderr, StringComparison.Ordinal);
        Assert.Contains("for module pm/1.0 includes BUILD_EXCLUSIVE directives\nwhich do not match this kernel/arch/config for any modules.\n",
            _f.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Zero modules", _f.Stderr, StringComparison.Ordinal);
        Assert.Equal(["pm/1.0: added"], await StatusLinesAsync());
    }

    [Fact]
    public async Task Build_ExclusiveMismatch30_ErrorWording()
    {
        var mv = await _f.AddModuleAsync("pm", extraConf: "BUILD_EXCLUSIVE_KERNEL=\"^99\\..*\"\n");

        Assert.Equal(77, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("Error! The ", _f.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Warning:", _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_MissingModule_30NotBuilt32BuiltWithRemark()
    {
        var mv = await _f.AddModuleAsync("hello", modules: ["a", "b"]);
        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));
        File.Delete(Path.Combine(ModuleDirOf(mv), "b.ko"));

        Assert.Equal(["hello/1.0: added"], await StatusLinesAsync());
        _f.UseProfile(DkmsProfile.V32);
        Assert.Equal([$"hello/1.0, {EngineFixture.Kernel}, {EngineFixture.Arch}: built (Built modules are missing in the kernel modules folder)"],
            await StatusLinesAsync());
    }

    [Fact]
    public async Task Status_DiffersAndOriginal_32RemarksOnce()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello", modules: ["a", "b"]);
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));
        foreach (var ko in Directory.GetFiles(ModuleDirOf(mv)))
        {
            File.AppendAllText(ko, "changed\n");
        }

        Directory.CreateDirectory(Path.Combine(_f.Settings.DkmsTree, "hello", "original_module", EngineFixture.Kernel, EngineFixture.Arch));

        Assert.Equal([$"hello/1.0, {EngineFixture.Kernel}, {EngineFixture.Arch}: installed (Original modules exist) (Differences between built and installed modules)"],
            await StatusLinesAsync());
    }

    [Fact]
    public async Task Autoinstall_UnregisteredDependency34_DeferredExit0()
    {
        _f.UseProfile(DkmsProfile.V34);
        await _f.AddModuleAsync("needy", extraConf: "BUILD_DEPENDS[0]=nothere\n");
        await _f.AddModuleAsync("plain");

        Assert.Equal(0, await _f.Engine.AutoinstallAsync(T, ActionOptions.Default));

        Assert.False(_f.Engine.IsBuiltDir("needy", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Contains("needy/1.0 autoinstall deferred: BUILD_DEPENDS not registered with DKMS: nothere.\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Autoinstall on {EngineFixture.Kernel} deferred module(s) needy/1.0 due to BUILD_DEPENDS not yet registered with DKMS.\n"
                        + "These may be provided externally or by a package not yet configured; autoinstall will retry on the next trigger.\n",
            _f.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("failed due to missing dependencies", _f.Stdout, StringComparison.Ordinal);
    }

    // A dependency dkms knows (registered, not AUTOINSTALL) that is not installed still fails the run in 3.4.
    [Fact]
    public async Task Autoinstall_RegisteredDependencyNotInstalled34_Exit11()
    {
        _f.UseProfile(DkmsProfile.V34);
        await _f.AddModuleAsync("needy", extraConf: "BUILD_DEPENDS[0]=manual\n");
        var dir = Path.Combine(_f.Settings.SourceTree, "manual-1.0");
        await _f.AddModuleAsync("manual", extraConf: "AUTOINSTALL=no\n");

        var e = await Assert.ThrowsAsync<DkmsException>(() => _f.Engine.AutoinstallAsync(T, ActionOptions.Default));

        Assert.Equal(11, e.ExitCode);
        Assert.True(Directory.Exists(dir));
        Assert.Contains("needy/1.0 autoinstall failed due to missing dependencies: manual.\n", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall_UnregisteredDependency32_Exit11()
    {
        _f.UseProfile(DkmsProfile.V32);
        await _f.AddModuleAsync("needy", extraConf: "BUILD_DEPENDS[0]=nothere\n");

        var e = await Assert.ThrowsAsync<DkmsException>(() => _f.Engine.AutoinstallAsync(T, ActionOptions.Default));

        Assert.Equal(11, e.ExitCode);
        Assert.Contains("needy/1.0 autoinstall failed due to missing dependencies: nothere.\n", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_NoModulesDep32_DepmodSkippedNotCreated()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));

        Assert.DoesNotContain(_f.Processes.Log, l => l.StartsWith("depmod", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_f.KernelDir, "modules.dep")));
        Assert.Contains("Running depmod... done.\n", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_NoModulesDep30_DepmodRuns()
    {
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains($"depmod {EngineFixture.Kernel}", _f.Processes.Log);
    }

    [Fact]
    public async Task Install_ModulesDepPresent34_DepmodRuns()
    {
        _f.UseProfile(DkmsProfile.V34);
        _f.Write(Path.Combine(_f.KernelDir, "modules.dep"), "kernel/foo.ko:\n");
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains($"depmod {EngineFixture.Kernel}", _f.Processes.Log);
    }

    [Fact]
    public async Task Add_ObsoleteBy34_DeprecationWarning()
    {
        _f.UseProfile(DkmsProfile.V34);
        await _f.AddModuleAsync("old", extraConf: "OBSOLETE_BY=9.0\n");

        Assert.Contains($"Deprecated feature: OBSOLETE_BY ({Path.Combine(_f.Settings.SourceTree, "old-1.0", "dkms.conf")}): use BUILD_EXCLUSIVE_KERNEL_MAX instead\n",
            _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ObsoleteBy32_Silent()
    {
        _f.UseProfile(DkmsProfile.V32);
        await _f.AddModuleAsync("old", extraConf: "OBSOLETE_BY=9.0\n");

        Assert.DoesNotContain("OBSOLETE_BY", _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_HeadersMissing34_Exit21NewAdvice()
    {
        _f.UseProfile(DkmsProfile.V34);
        var mv = await _f.AddModuleAsync("hello");
        Directory.Delete(_f.HeadersDir, recursive: true);

        Assert.Equal(21, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains($"\nError! Your kernel headers for kernel {EngineFixture.Kernel} cannot be found", _f.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Please install your distribution's kernel headers package matching {EngineFixture.Kernel}, or use", _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ConfigDirScript34_OverrideRunsInItsDirectory()
    {
        _f.UseProfile(DkmsProfile.V34);
        var overrideDir = Path.Combine(_f.Settings.ConfigDir, "hooked");
        var script = _f.Write(Path.Combine(overrideDir, "pre.sh"), "#!/bin/sh\necho \"override in $(pwd)\"\n");
        File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        var mv = await _f.AddModuleAsync("hooked", extraConf: "PRE_BUILD=pre.sh\n");
        _f.Write(Path.Combine(_f.Settings.SourceTree, "hooked-1.0", "pre.sh"), "#!/bin/sh\necho package script\n");
        File.SetUnixFileMode(Path.Combine(_f.Settings.SourceTree, "hooked-1.0", "pre.sh"), (UnixFileMode)Convert.ToInt32("755", 8));

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        // 3.2+: PRE_BUILD is a logged step, its output in make.log.
        var log = await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "log", "make.log"));
        Assert.Contains($"# command: cd {overrideDir}/ && {overrideDir}/pre.sh\noverride in {overrideDir}\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain("package script", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ConfigDirScript30_PackageScriptRuns()
    {
        var script = _f.Write(Path.Combine(_f.Settings.ConfigDir, "hooked", "pre.sh"), "#!/bin/sh\necho override\n");
        File.SetUnixFileMode(script, (UnixFileMode)Convert.ToInt32("755", 8));
        var mv = await _f.AddModuleAsync("hooked", extraConf: "PRE_BUILD=pre.sh\n");
        _f.Write(Path.Combine(_f.Settings.SourceTree, "hooked-1.0", "pre.sh"), "#!/bin/sh\necho package script\n");
        File.SetUnixFileMode(Path.Combine(_f.Settings.SourceTree, "hooked-1.0", "pre.sh"), (UnixFileMode)Convert.ToInt32("755", 8));

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("package script", _f.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("override", _f.Stdout, StringComparison.Ordinal);
    }

    // The administrator's patch replaces the package's same-named one: the package's would fail to apply.
    [Fact]
    public async Task Build_ConfigDirPatches34_OverlayWins()
    {
        _f.UseProfile(DkmsProfile.V34);
        var src = Path.Combine(_f.Settings.SourceTree, "patched-1.0");
        _f.Write(Path.Combine(src, "file.txt"), "old\n");
        _f.Write(Path.Combine(src, "patches", "fix.patch"), "this is not a patch\n");
        _f.Write(Path.Combine(_f.Settings.ConfigDir, "patched", "patches", "fix.patch"),
            "--- a/file.txt\n+++ b/file.txt\n@@ -1 +1 @@\n-old\n+new\n");
        var mv = await _f.AddModuleAsync("patched", extraConf: "PATCH[0]=fix.patch\nPOST_BUILD=show.sh\n");
        var show = _f.Write(Path.Combine(src, "show.sh"), "#!/bin/sh\necho \"file: $(cat file.txt)\"\n");
        File.SetUnixFileMode(show, (UnixFileMode)Convert.ToInt32("755", 8));

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("file: new", await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "log", "make.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ConfigDirPatches30_Ignored()
    {
        var src = Path.Combine(_f.Settings.SourceTree, "patched-1.0");
        _f.Write(Path.Combine(src, "file.txt"), "old\n");
        _f.Write(Path.Combine(src, "patches", "fix.patch"), "--- a/file.txt\n+++ b/file.txt\n@@ -1 +1 @@\n-old\n+package\n");
        _f.Write(Path.Combine(_f.Settings.ConfigDir, "patched", "patches", "fix.patch"),
            "--- a/file.txt\n+++ b/file.txt\n@@ -1 +1 @@\n-old\n+new\n");
        var mv = await _f.AddModuleAsync("patched", extraConf: "PATCH[0]=fix.patch\nPOST_BUILD=show.sh\n");
        var show = _f.Write(Path.Combine(src, "show.sh"), "#!/bin/sh\necho \"file: $(cat file.txt)\"\n");
        File.SetUnixFileMode(show, (UnixFileMode)Convert.ToInt32("755", 8));

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("file: package", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_BuildEnvironment34_ExportsReachMake()
    {
        var file = _f.Write("etc/build-env", "export DKMS_TEST_K=\"for-$kernelver\"\nDKMS_TEST_PLAIN=not-exported\n");
        _f.NewEngine(_f.Settings with { Profile = DkmsProfile.V34, BuildEnvironment = file });
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        var log = await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "log", "make.log"));
        Assert.Contains($"fake make env: DKMS_TEST_K=for-{EngineFixture.Kernel}\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain("DKMS_TEST_PLAIN", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildEnvironmentFile_ValuesWithNewlines_Intact()
    {
        var file = _f.Write("etc/env2", "export DKMS_TEST_A=$'two\\nlines'\nexport PATH=\"/opt/x:$PATH\"\n");

        var env = await Core.Build.BuildEnvironmentFile.ReadAsync(Core.Processes.ProcessRunner.Default, file, "6.1", CancellationToken.None);

        Assert.Equal("two\nlines", env["DKMS_TEST_A"]);
        Assert.StartsWith("/opt/x:", env["PATH"], StringComparison.Ordinal);
        Assert.False(env.ContainsKey("SHLVL"));
    }

    [Theory]
    [InlineData("3.0", false)]
    [InlineData("3.2", true)]
    [InlineData("3.4", true)]
    public async Task Build_ClangKernel_LlvmStripFrom32(string profile, bool llvm)
    {
        _f.UseProfile(DkmsProfile.Find(profile)!);
        _f.Write(Path.Combine(_f.HeadersDir, ".config"), "CONFIG_CC_IS_CLANG=y\n");
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Equal(llvm, _f.Processes.Log.Contains("llvm-strip hello.ko"));
    }

    [Fact]
    public async Task BuildInstallRemove_32Words_OneLinePerStepNoClean()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));
        Assert.Equal(0, await CodeOf(() => _f.Engine.RemoveAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("\nBuilding module(s)... done.\n", _f.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Cleaning build area", _f.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(_f.Processes.Log, l => l.StartsWith("clean ", StringComparison.Ordinal));
        Assert.Contains($"Installing {_f.InstalledFile("hello")}\n", _f.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Running module version sanity check.", _f.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Module hello/1.0 for kernel {EngineFixture.Kernel} ({EngineFixture.Arch}):\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Deleting {_f.InstalledFile("hello")}\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deleting module hello/1.0 completely from the DKMS tree.\n", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_32MakeLog_CommandBlock()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        var log = await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "log", "make.log"));
        Assert.StartsWith($"DKMS (dkms-3.2.2) make.log for hello/1.0 for kernel {EngineFixture.Kernel} ({EngineFixture.Arch})\n", log, StringComparison.Ordinal);
        Assert.Contains("\nBuilding module(s)\n# command: make -j4 KERNELRELEASE=", log, StringComparison.Ordinal);
        Assert.Matches(@"\n# exit code: 0\n# elapsed time: \d\d:\d\d:\d\d\n-{64}\n$", log);
    }

    [Fact]
    public async Task Build_30Words_Unchanged()
    {
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains("\nBuilding module:\nCleaning build area...", _f.Stdout, StringComparison.Ordinal);
        var log = await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "log", "make.log"));
        Assert.StartsWith("DKMS make.log for hello-1.0 for kernel ", log, StringComparison.Ordinal);
        Assert.DoesNotContain("# command:", log, StringComparison.Ordinal);
    }
}
