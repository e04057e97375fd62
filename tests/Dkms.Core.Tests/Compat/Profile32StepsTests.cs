using System.Text.RegularExpressions;
using Dkms.Core.Actions;
using Dkms.Core.Compat;
using Dkms.Core.Errors;
using Dkms.Core.Tests.Actions;

namespace Dkms.Core.Tests.Compat;

/// <summary>
/// The 3.2 profile's steps and blank lines where they differ from 3.0.10's, as upstream's run_test.sh of v3.2.2 checks
/// them: the signing prologue after the add and the checks, closed by a blank line; blank lines after a forced
/// uninstall and after each module of kernel_prerm; patches and build scripts as logged steps; an install the version
/// check refuses entirely (exit 6); originals at the destination archived; BUILD_DEPENDS_REBUILD.
/// </summary>
public sealed partial class Profile32StepsTests : IDisposable
{
    private static readonly KernelTarget T = EngineFixture.Target;
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

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

    /// <summary>A module source in the source tree, not added (AddModuleAsync's files).</summary>
    private string WriteSource(string name, string version = "1.0", string extraConf = "")
    {
        _f.Write($"src/{name}-{version}/dkms.conf",
            $"PACKAGE_NAME={name}\nPACKAGE_VERSION={version}\nAUTOINSTALL=yes\nBUILT_MODULE_NAME[0]={name}\nDEST_MODULE_LOCATION[0]=/extra\n" + extraConf);
        _f.Write($"src/{name}-{version}/fake-ko", $"{name}.ko {version}\n");
        return Path.Combine(_f.Settings.SourceTree, $"{name}-{version}");
    }

    [GeneratedRegex(@"^Creating symlink [^\n]+\n\n[^\n]+ won't be signed\n\nBuilding module\(s\)\.\.\. done\.\n")]
    private static partial Regex SymlinkThenPrologueThenBuild();

    [Fact]
    public async Task Install32_NotAdded_AddThenBlankThenPrologueThenBlankThenBuild()
    {
        _f.UseProfile(DkmsProfile.V32);
        WriteSource("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(new ModuleRef("hello", "1.0"), [T], ActionOptions.Default)));

        Assert.Matches(SymlinkThenPrologueThenBuild(), _f.Stdout);
    }

    [Fact]
    public async Task Build32_ExcludedKernel_NoPrologue()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello", extraConf: "BUILD_EXCLUSIVE_KERNEL=\"^99\\..*\"\n");
        var before = _f.Stdout.Length;

        Assert.Equal(77, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Equal(string.Empty, _f.Stdout[before..]);
    }

    [Fact]
    public async Task Build32_MissingBuildDepends_PrologueBlankThenError()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("user", extraConf: "BUILD_DEPENDS[0]=dep\n");
        var before = _f.Stdout.Length;

        Assert.Equal(13, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.EndsWith(" won't be signed\n\n", _f.Stdout[before..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall32_OnlyDependentOnMissingModule_NoPrologue()
    {
        _f.UseProfile(DkmsProfile.V32);
        await _f.AddModuleAsync("user", extraConf: "BUILD_DEPENDS[0]=user\n"); // waits for itself
        var before = _f.Stdout.Length;

        Assert.Equal(11, await CodeOf(() => _f.Engine.AutoinstallAsync(T, ActionOptions.Default)));

        Assert.DoesNotContain("won't be signed", _f.Stdout[before..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall32_PrologueBlankThenHeaderThenBuild()
    {
        _f.UseProfile(DkmsProfile.V32);
        await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.AutoinstallAsync(T, ActionOptions.Default)));

        Assert.Contains($" won't be signed\n\nAutoinstall of module hello/1.0 for kernel {T}\nBuilding module(s)... done.\n", _f.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallForce32_BlankLineAfterTheUninstall()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default with { Force = true })));

        Assert.Contains($"Deleting {_f.InstalledFile("hello")}\nRunning depmod... done.\n\nInstalling ", _f.Stdout[before..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task InstallForce30_NoBlankLineAfterTheUninstall()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default with { Force = true })));

        Assert.DoesNotContain("depmod... done.\n\n", _f.Stdout[before..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task KernelPrerm32_BlankLineAfterEachModule()
    {
        _f.UseProfile(DkmsProfile.V32);
        var hello = await _f.AddModuleAsync("hello");
        var other = await _f.AddModuleAsync("other");
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(hello, [T], ActionOptions.Default)));
        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(other, [T], ActionOptions.Default)));
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.KernelRemoveAsync(T, onlyAutoinstall: false, ActionOptions.Default)));

        Assert.Equal($"Module hello/1.0 for kernel {T}:\nBefore uninstall, this module version was ACTIVE on this kernel.\n"
                     + $"Deleting {_f.InstalledFile("hello")}\n\nModule other/1.0 is not installed for kernel {T}. Skipping...\n\n"
                     + "Running depmod... done.\n", _f.Stdout[before..]);
    }

    [Fact]
    public async Task Install32_VersionCheckRefusesEveryModule_Exit6StaysBuilt()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello");
        _f.Write($"modules/{EngineFixture.Kernel}/kernel/drivers/hello.ko", "the kernel's own\nversion: 2.0\n");

        Assert.Equal(6, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));

        Assert.EndsWith("You may override by specifying --force.\n\nError! Installation aborted.\n", _f.Stderr, StringComparison.Ordinal);
        Assert.False(_f.Engine.IsInstalled("hello", "1.0", T.Kernel, T.Arch));
        Assert.True(_f.Engine.IsBuiltDir("hello", "1.0", T.Kernel, T.Arch));
    }

    [Fact]
    public async Task Install32_ModuleAtDestination_ArchivedAndPutBack()
    {
        _f.UseProfile(DkmsProfile.V32);
        var mv = await _f.AddModuleAsync("hello");
        var theirs = _f.Write($"modules/{EngineFixture.Kernel}/updates/dkms/hello.ko", "another package's\nversion: 0.5\n");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(mv, [T], ActionOptions.Default)));
        Assert.Contains($"Found pre-existing {theirs}, archiving for uninstallation\nInstalling {theirs}\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Contains("(Original modules exist)", (await _f.Engine.Context.Status.ReadAsync(null, null, null)).Single().ToLine(), StringComparison.Ordinal);

        Assert.Equal(0, await CodeOf(() => _f.Engine.UninstallAsync(mv, [T], ActionOptions.Default)));
        Assert.EndsWith($"Restoring archived original module {theirs}\nRunning depmod... done.\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Equal("another package's\nversion: 0.5\n", await File.ReadAllTextAsync(theirs));
        Assert.False(Directory.Exists(Path.Combine(_f.Settings.DkmsTree, "hello", "original_module")));
    }

    [Fact]
    public async Task Install32_ZeroModules_WarnedAtEachStrictRead()
    {
        _f.UseProfile(DkmsProfile.V32);
        _f.Write("src/none-1.0/dkms.conf", "PACKAGE_NAME=none\nPACKAGE_VERSION=1.0\nMAKE=\"true\"\n");
        _f.Write("src/none-1.0/Makefile", "all:\n");

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(new ModuleRef("none", "1.0"), [T], ActionOptions.Default)));

        Assert.Equal(3, Regex.Count(_f.Stderr, "dkms.conf: Warning! Zero modules specified.\n")); // add, build, install
    }

    [Fact]
    public async Task Build32_PatchAndScripts_LoggedStepsInMakeLog()
    {
        _f.UseProfile(DkmsProfile.V32);
        var src = WriteSource("hello", extraConf: "PATCH[0]=fix.patch\nPRE_BUILD=\"script.sh pre_build\"\nPOST_BUILD=\"script.sh post_build\"\n");
        _f.Write("src/hello-1.0/a.txt", "old\n");
        _f.Write("src/hello-1.0/patches/fix.patch", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-old\n+new\n");
        var script = _f.Write("src/hello-1.0/script.sh", "#!/bin/sh\necho \"$1 ran in $PWD\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var mv = new ModuleRef("hello", "1.0");
        Assert.Equal(0, await _f.Engine.AddAsync(mv, ActionOptions.Default));
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.EndsWith(" won't be signed\n\nApplying patch fix.patch... done.\nRunning the pre_build script... done.\nBuilding module(s)... done.\n"
                        + "Running the post_build script... done.\n", _f.Stdout[before..], StringComparison.Ordinal);
        var log = await File.ReadAllTextAsync(Path.Combine(_f.BuiltDir(mv), "log", "make.log"));
        var build = Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", "build");
        Assert.Contains("\nApplying patch fix.patch\n# command: patch -p1 < ./patches/fix.patch\npatching file a.txt\n", log, StringComparison.Ordinal);
        Assert.Contains($"\nRunning the pre_build script\n# command: cd {build}/ && {build}/script.sh pre_build\npre_build ran in {build}\n", log,
            StringComparison.Ordinal);
        Assert.True(log.IndexOf("Applying patch", StringComparison.Ordinal) < log.IndexOf("Building module(s)", StringComparison.Ordinal));
        Assert.Contains("\nRunning the post_build script\n", log, StringComparison.Ordinal);
        Assert.NotEmpty(src);
    }

    [Fact]
    public async Task Build32_FailingSignFile_Warning()
    {
        _f.UseProfile(DkmsProfile.V32);
        _f.Write($"modules/{EngineFixture.Kernel}/build/.config", "CONFIG_MODULE_SIG_HASH=\"sha512\"\n");
        var signFile = _f.Write("bin/sign-file", "#!/bin/sh\n");
        File.SetUnixFileMode(signFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _f.Write("etc/framework.conf", $"sign_file={signFile}\n");
        _f.Processes.SignFileExitCode = 1;
        var mv = await _f.AddModuleAsync("hello");

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Contains($"Warning: Failed to sign module '{Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", "build", "hello.ko")}'!\nsign-file: key unreadable\n",
            _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install32_BuildDependsRebuild_DependentRebuiltWhenTheDependencyChanges()
    {
        _f.UseProfile(DkmsProfile.V32);
        var dep1 = await _f.AddModuleAsync("dep");
        var user = await _f.AddModuleAsync("user", extraConf: "BUILD_DEPENDS[0]=dep\nBUILD_DEPENDS_REBUILD=yes\n");
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(dep1, [T], ActionOptions.Default)));
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(user, [T], ActionOptions.Default)));
        var recorded = Path.Combine(_f.BuiltDir(user), ".dep_dep");
        Assert.Equal("1.0\n", await File.ReadAllTextAsync(recorded));
        Assert.Equal(0, await CodeOf(() => _f.Engine.RemoveAsync(dep1, [T], ActionOptions.Default)));
        var dep2 = await _f.AddModuleAsync("dep", "2.0");
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(dep2, [T], ActionOptions.Default)));

        Assert.Contains("Running depmod... done.\n\nRebuilding module user/1.0 due to updated dependencies\n\n"
                        + $"Module user/1.0 for kernel {T}:\n", _f.Stdout[before..], StringComparison.Ordinal);
        Assert.Equal("2.0\n", await File.ReadAllTextAsync(recorded));
        Assert.True(_f.Engine.IsInstalled("user", "1.0", T.Kernel, T.Arch));
    }

    [Fact]
    public async Task Install30_BuildDependsRebuild_NothingRecorded()
    {
        var dep = await _f.AddModuleAsync("dep");
        var user = await _f.AddModuleAsync("user", extraConf: "BUILD_DEPENDS[0]=dep\nBUILD_DEPENDS_REBUILD=yes\n");
        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(dep, [T], ActionOptions.Default)));

        Assert.Equal(0, await CodeOf(() => _f.Engine.InstallAsync(user, [T], ActionOptions.Default)));

        Assert.False(File.Exists(Path.Combine(_f.BuiltDir(user), ".dep_dep")));
    }

    [Theory]
    [InlineData("3.0")]
    [InlineData("3.2")]
    public async Task Rebuild_FoundInTheLocalCache_ShownAsTheBuildWasNoContentKeyLine(string profile)
    {
        _f.UseProfile(DkmsProfile.Find(profile)!);
        var mv = await _f.AddModuleAsync("hello", extraConf: "PATCH[0]=fix.patch\n");
        _f.Write("src/hello-1.0/a.txt", "old\n");
        _f.Write("src/hello-1.0/patches/fix.patch", "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-old\n+new\n");
        var start = _f.Stdout.Length;
        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));
        var built = _f.Stdout[start..];
        Assert.Equal(0, await CodeOf(() => _f.Engine.UnbuildAsync(mv, [T], ActionOptions.Default)));
        var makes = _f.Processes.Log.Count(l => l.StartsWith("make ", StringComparison.Ordinal));
        _f.NewEngine(); // the next dkmsctl
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.BuildAsync(mv, [T], ActionOptions.Default)));

        Assert.Equal(makes, _f.Processes.Log.Count(l => l.StartsWith("make ", StringComparison.Ordinal))); // found, not made
        var again = _f.Stdout[before..];
        Assert.DoesNotContain("Content key", _f.Stderr, StringComparison.Ordinal);
        // 3.0 shows patch's own lines in the foreground; a found build has the step lines only.
        Assert.Equal(profile == "3.2" ? built : built.Replace("patching file a.txt\n", string.Empty, StringComparison.Ordinal), again);
    }

    [Fact]
    public async Task Remove34_BuildExclusivePackageNotInstalled_NoNotInstalledLine()
    {
        _f.UseProfile(DkmsProfile.V34);
        var mv = await _f.AddModuleAsync("hello", extraConf: "BUILD_EXCLUSIVE_KERNEL=\"^99\\..*\"\n");
        var before = _f.Stdout.Length;

        Assert.Equal(0, await CodeOf(() => _f.Engine.RemoveAsync(mv, [T], ActionOptions.Default)));

        Assert.Equal($"Module hello/1.0 is not built for kernel {T}. Skipping...\n\nDeleting module hello/1.0 completely from the DKMS tree.\n",
            _f.Stdout[before..]);
    }
}
