using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// A package that needs more than the sandbox gives (a write outside its build directory, a tree the build user cannot
/// reach) fails with a dkms-style error that names what was refused and how to opt out, through the real dkmsctl.
/// </summary>
public sealed class SandboxRefusalTests : IDisposable
{
    private const string OptOut = "set build_sandbox=\"none\" in framework.conf";

    private readonly TestTrees _t = new();

    public SandboxRefusalTests()
    {
        // Not in /tmp (the sandbox's own tmpfs hides the host's): a directory of this test's in the read-only view.
        Outside = Directory.CreateDirectory(Path.Combine("/var/tmp", "dkmsd-needy-" + Guid.NewGuid().ToString("N"))).FullName;
        File.SetUnixFileMode(Outside, (UnixFileMode)Convert.ToInt32("777", 8)); // only the sandbox's read-only view stops a write
    }

    public void Dispose()
    {
        File.SetUnixFileMode(_t.Root, (UnixFileMode)Convert.ToInt32("755", 8));
        _t.Dispose();
        Directory.Delete(Outside, recursive: true);
    }

    private string Outside { get; }

    /// <summary>A module whose make, once the module is built, installs a file outside its build directory, as some vendor Makefiles do.</summary>
    private ModuleSource NeedyMake() => _t.Module("needy")
        .Conf("MAKE[0]=\"make -C ${kernel_source_dir} M=${dkms_tree}/${PACKAGE_NAME}/${PACKAGE_VERSION}/build modules && cp needy.conf "
            + Outside + "/\"")
        .File_("needy.conf", "options needy debug=1\n");

    [Fact]
    public async Task Build_MakeWritesOutsideItsBuildDir_FailsNamingThePathAndTheOptOut()
    {
        var module = NeedyMake();

        var r = await _t.RunAsync("build", "-k", _t.Kernel, module.Dir);

        Assert.True(r.ExitCode == 10, r.ToString());
        Assert.Contains($"The build sandbox refused writing {Outside}/needy.conf (Read-only file system)", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(OptOut, r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Outside));
        Assert.Contains("Read-only file system", File.ReadAllText(Path.Combine(_t.DkmsTree, "needy", "1.0", "build", "make.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_SameNeedyMake_Unsandboxed_Builds()
    {
        // The failure above is the sandbox's, not the package's: with the opt-out it builds and writes its file.
        var module = NeedyMake();
        File.WriteAllText(_t.FrameworkConf, "build_sandbox=\"none\"\n");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, module.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(Path.Combine(Outside, "needy.conf")));
    }

    [Fact]
    public async Task Build_PreBuildScriptWritesOutside_FailsNamingThePath()
    {
        var module = _t.Module("needy-script").Conf("PRE_BUILD=\"prepare.sh\"")
            .File_("prepare.sh", $"#!/bin/bash\nset -e\nmkdir {Outside}/cache\n", executable: true);

        var r = await _t.RunAsync("build", "-k", _t.Kernel, module.Dir);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"The build sandbox refused writing {Outside}/cache (Read-only file system)", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(OptOut, r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_OrdinaryCompileError_BlamesNoSandbox()
    {
        var module = _t.Module("broken").CSource("broken", "1.0", "this is not C;");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, module.Dir);

        Assert.True(r.ExitCode == 10, r.ToString());
        Assert.Contains("Bad return status for module build", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("sandbox", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_TreesUnderADirectoryTheBuildUserCannotEnter_SaysWhichAndWhy()
    {
        var module = _t.Module("hello");
        File.SetUnixFileMode(_t.Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // 0700, root's

        var r = await _t.RunAsync("build", "-k", _t.Kernel, module.Dir);

        Assert.True(r.ExitCode == 8, r.ToString());
        Assert.Contains($"{_t.Root} (mode 0700, owner uid 0) does not let that user in", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("build_sandbox=\"none\"", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("bwrap:", r.Stderr + r.Stdout, StringComparison.Ordinal);
    }
}
