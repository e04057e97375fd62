using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>Failing builds, exclusions, dependencies, patches and hooks: dkms's messages and exit codes.</summary>
public sealed class FailureTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task Build_MakeFails_Exit10AndLogKept()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync(x => ["build", "-k", x.Kernel, x.Module("broken").CSource("broken", "1.0", "this is not C;").Dir]);

        Assert.Equal(10, r.ExitCode);
        Assert.Contains($"M=<trees>/dkms/broken/1.0/build...(bad exit status: 2)\n", r.Stdout, StringComparison.Ordinal);
        Assert.EndsWith($"Error! Bad return status for module build on kernel: {s.Ours.Kernel} ({TestTrees.ArchName})\n"
                        + "Consult <trees>/dkms/broken/1.0/build/make.log for more information.\n", r.Stderr, StringComparison.Ordinal);
        var (log, theirLog) = s.Files("dkms/broken/1.0/build/make.log");
        Assert.Contains("error:", log, StringComparison.Ordinal);
        Assert.Equal(WithoutDateLine(theirLog), WithoutDateLine(log));
        Assert.Equal("broken/1.0: added\n", (await s.SameAsync("status")).Stdout);
        Assert.Empty(Directory.GetDirectories(Path.Combine(s.Ours.DkmsTree, "broken", "1.0"), ".tmp_*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Build_NoHeaders_Exit21()
    {
        _ = _t.Module("nohdr");
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("nohdr").Dir)).ExitCode);

        var r = await _t.RunAsync("build", "nohdr/1.0", "-k", "9.9.9-noheaders");

        Assert.Equal(21, r.ExitCode);
        Assert.Contains($"Your kernel headers for kernel 9.9.9-noheaders cannot be found at {_t.InstallTree}/9.9.9-noheaders/build or {_t.InstallTree}/9.9.9-noheaders/source.",
            r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_KernelSourceDirOption_UsedInsteadOfInstallTree()
    {
        var mod = _t.Module("ksrc");
        Directory.CreateDirectory(Path.Combine(_t.InstallTree, "9.9.9-custom"));

        var r = await _t.RunAsync("build", "-k", "9.9.9-custom", "--kernelsourcedir", KernelHeaders.Dir, mod.Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
    }

    [Fact]
    public async Task Build_BuildExclusiveArch_Exit77AndStaysAdded()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync(x => ["build", "-k", x.Kernel, x.Module("excl").Conf("BUILD_EXCLUSIVE_ARCH=\"none\"").Dir]);

        Assert.Equal(77, r.ExitCode);
        Assert.Contains("Error! The <trees>/dkms/excl/1.0/", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("/dkms.conf for module excl includes a BUILD_EXCLUSIVE directive", r.Stderr, StringComparison.Ordinal);
        Assert.Equal("excl/1.0: added\n", (await s.SameAsync("status")).Stdout);
    }

    [Fact]
    public async Task Build_MissingBuildDepends_Exit13ThenForceWarns()
    {
        var mod = _t.Module("needy").Conf("BUILD_DEPENDS=\"nosuchmodule\"");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, mod.Dir);
        Assert.Equal(13, r.ExitCode);
        Assert.Contains($"Aborting build of module needy/1.0 for kernel {_t.Kernel} ({TestTrees.ArchName}) due to missing BUILD_DEPENDS: nosuchmodule.", r.Stderr, StringComparison.Ordinal);

        var forced = await _t.RunAsync("build", "needy/1.0", "-k", _t.Kernel, "--force");
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains("Warning: Trying to build module needy/1.0", forced.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_PatchesAndPreBuild_AppliedInOrderBeforeMake()
    {
        // The source only compiles once the patch has defined PATCHED and PRE_BUILD has written gen.h.
        var mod = _t.Module("patched")
            .CSource("patched", "1.0", "#include \"gen.h\"\n#ifndef PATCHED\n#error not patched\n#endif\nstatic int x = GENERATED;")
            .File_("patches/0001-define.patch", """
                --- a/Makefile
                +++ b/Makefile
                @@ -1 +1,2 @@
                 obj-m := patched.o
                +ccflags-y += -DPATCHED

                """)
            .File_("gen.sh", "#!/bin/sh\necho '#define GENERATED 1' > gen.h\n", executable: true)
            .Conf("PATCH[0]=\"0001-define.patch\"\nPRE_BUILD=\"gen.sh\"");

        using var s = new SideBySide();
        _ = Copy(mod, s.Ours);
        _ = Copy(mod, s.Theirs);

        var r = await s.SameAsync(x => ["build", "-k", x.Kernel, Path.Combine(x.Packages, "patched-1.0")]);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("applying patch 0001-define.patch...patching file Makefile\n\n\nRunning the pre_build script:\n\nBuilding module:\n",
            r.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PATCH[0]=\"missing.patch\"", 5, "cannot be")]
    [InlineData("PATCH[0]=\"../badpath.patch\"", 5, "contains '..' path component")]
    [InlineData("PATCH[0]=\"sub/../../badpath.patch\"", 5, "contains '..' path component")]
    public async Task Build_BadPatch_Exit5(string line, int code, string message)
    {
        var mod = _t.Module("badpatch").Conf(line);

        var r = await _t.RunAsync("build", "-k", _t.Kernel, mod.Dir);

        Assert.Equal(code, r.ExitCode);
        Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_PreBuildFails_ExitsWithItsStatus()
    {
        var mod = _t.Module("prefail").File_("fail.sh", "#!/bin/sh\nexit 42\n", executable: true).Conf("PRE_BUILD=\"fail.sh\"");

        var r = await _t.RunAsync("build", "-k", _t.Kernel, mod.Dir);

        Assert.Equal(42, r.ExitCode);
        Assert.Equal("prefail/1.0: added\n", (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task Install_PreInstallFails_Exit101UnlessForced()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync(x => ["install", "-k", x.Kernel,
            x.Module("preinst").File_("no.sh", "#!/bin/sh\necho refusing\nexit 3\n", executable: true).Conf("PRE_INSTALL=\"no.sh\"").Dir]);
        Assert.Equal(101, r.ExitCode);
        Assert.EndsWith("\npreinst.ko:\nRunning module version sanity check.\n\nRunning the pre_install script:\nrefusing\n", r.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(s.Ours.UpdatesDir, "preinst.ko")));

        Assert.Equal(0, (await s.SameAsync(x => ["install", "preinst/1.0", "-k", x.Kernel, "--force"])).ExitCode);
        Assert.True(File.Exists(Path.Combine(s.Ours.UpdatesDir, "preinst.ko")));
    }

    [Fact]
    public async Task Add_PostAddFails_StaysAddedWithItsStatus()
    {
        var mod = _t.Module("postadd").File_("post.sh", "#!/bin/sh\necho post-add ran in $(pwd)\nexit 7\n", executable: true).Conf("POST_ADD=\"post.sh\"");

        using var s = new SideBySide();
        _ = Copy(mod, s.Ours);
        _ = Copy(mod, s.Theirs);

        var r = await s.SameAsync(x => ["add", Path.Combine(x.Packages, "postadd-1.0")]);

        Assert.Equal(7, r.ExitCode);
        Assert.EndsWith("\n\nRunning the post_add script:\npost-add ran in <trees>/dkms/postadd/1.0/source\n", r.Stdout, StringComparison.Ordinal);
        Assert.Equal("postadd/1.0: added\n", (await s.SameAsync("status")).Stdout);
    }

    [Fact]
    public async Task Add_BadConf_Exit8WithDkmsMessages()
    {
        var mod = _t.Module("badconf");
        File.WriteAllText(Path.Combine(mod.Dir, "dkms.conf"), "PACKAGE_NAME=badconf\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/wrong/path\n");

        var r = await _t.RunAsync("add", mod.Dir);

        Assert.Equal(8, r.ExitCode);
        Assert.Contains("dkms.conf: Error! Directive 'DEST_MODULE_LOCATION' does not begin with\n'/kernel', '/updates', or '/extra' in record #0.", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("Error! Bad conf file.", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_t.DkmsTree, "badconf")));
    }

    [Fact]
    public async Task Add_MissingSourceDir_Exit2()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync("add", "-m", "ghost", "-v", "1.0");

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("Error! Could not find module source directory.\nDirectory: <trees>/src/ghost-1.0 does not exist.\n", r.Stderr);
    }

    [Fact]
    public async Task Install_KernelMissingFromInstallTree_Exit6()
    {
        Directory.CreateDirectory(Path.Combine(_t.Root, "hdr"));
        var mod = _t.Module("nokdir");

        var r = await _t.RunAsync("install", "-k", "9.9.9-nodir", "--kernelsourcedir", KernelHeaders.Dir, mod.Dir);

        Assert.Equal(6, r.ExitCode);
        Assert.Contains($"{_t.InstallTree}/9.9.9-nodir", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_OlderVersionOverNewer_RefusedUnlessForced()
    {
        using var s = new SideBySide();
        var k = s.Ours.Kernel;
        Assert.Equal(0, (await s.SameAsync(x => ["install", "-k", k, x.Module("vers", "2.0").Dir])).ExitCode);
        Assert.Equal(0, (await s.SameAsync(x => ["build", "-k", k, x.Module("vers", "1.0").Dir])).ExitCode);

        var older = await s.SameAsync("install", "vers/1.0", "-k", k);
        Assert.Equal(0, older.ExitCode); // Debian 3.0.10 counts a refused module as installed (upstream: 6)
        Assert.Equal($"Error! Module version 1.0 for vers.ko\nis not newer than what is already found in kernel {k} (2.0).\n"
                     + "You may override by specifying --force.\n", older.Stderr);
        Assert.Equal("2.0\n", await Tools.RunAsync("modinfo", "-F", "version", Path.Combine(s.Ours.UpdatesDir, "vers.ko")));

        Assert.Equal(0, (await s.SameAsync("install", "vers/1.0", "-k", k, "--force")).ExitCode);
        Assert.Contains($"vers/1.0, {k}, {TestTrees.ArchName}: installed", (await s.SameAsync("status")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ModuleNotProducedWhereConfSays_Exit7()
    {
        using var s = new SideBySide();

        var r = await s.SameAsync(x => ["build", "-k", x.Kernel, x.Module("misplaced").Conf("BUILT_MODULE_LOCATION[0]=\"elsewhere\"").Dir]);

        Assert.Equal(7, r.ExitCode);
        Assert.Contains($"Error!  Build of misplaced.ko failed for: {s.Ours.Kernel} ({TestTrees.ArchName})\n", r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A copy of <paramref name="source"/> in <paramref name="t"/>'s packages directory (same name).</summary>
    private static string Copy(ModuleSource source, TestTrees t)
    {
        var dest = Path.Combine(t.Packages, Path.GetFileName(source.Dir));
        foreach (var file in Directory.EnumerateFiles(source.Dir, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dest, Path.GetRelativePath(source.Dir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }

        return dest;
    }

    private static string WithoutDateLine(string makeLog) => string.Join('\n', makeLog.Split('\n').Where((_, i) => i != 1));

    public void Dispose() => _t.Dispose();
}
