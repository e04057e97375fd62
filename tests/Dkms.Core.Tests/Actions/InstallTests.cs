using Dkms.Core.Actions;

namespace Dkms.Core.Tests.Actions;

public sealed class InstallTests : IDisposable
{
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Install_NotBuilt_BuildsCopiesLinksAndRunsDepmodOnce()
    {
        var mv = await _f.AddModuleAsync("hello");

        var code = await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        var built = Path.Combine(_f.BuiltDir(mv), "module", "hello.ko");
        Assert.Equal(await File.ReadAllBytesAsync(built), await File.ReadAllBytesAsync(_f.InstalledFile("hello")));
        Assert.Equal($"1.0/{EngineFixture.Kernel}/{EngineFixture.Arch}",
            new FileInfo(Path.Combine(_f.Settings.DkmsTree, "hello", $"kernel-{EngineFixture.Kernel}-{EngineFixture.Arch}")).LinkTarget);
        Assert.True(_f.Engine.IsInstalled("hello", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Single(_f.Processes.Log, $"depmod {EngineFixture.Kernel}");
        Assert.Empty(Directory.EnumerateFiles(_f.KernelDir, "*.dkms-tmp-*", SearchOption.AllDirectories));
        Assert.Contains($"\nhello.ko:\nRunning module version sanity check.\n - Original module\n   - No original module exists within this kernel\n"
                        + $" - Installation\n   - Installing to {_f.KernelDir}/updates/dkms/\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, _f.Stderr);
    }

    [Fact]
    public async Task Install_AlreadyInstalled_SaysSoAndChangesNothing()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var calls = _f.Processes.Log.Count;

        var code = await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.Equal(calls, _f.Processes.Log.Count);
        Assert.Contains($"Module hello/1.0 already installed on kernel {EngineFixture.Kernel} ({EngineFixture.Arch}), skip.", _f.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_DepmodFails_RolledBackToBuiltExit6()
    {
        var mv = await _f.AddModuleAsync("hello");
        _f.Processes.DepmodExitCode = 1;

        var code = await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(6, code);
        Assert.False(File.Exists(_f.InstalledFile("hello")), "the module is taken out again");
        Assert.Null(new FileInfo(Path.Combine(_f.Settings.DkmsTree, "hello", $"kernel-{EngineFixture.Kernel}-{EngineFixture.Arch}")).LinkTarget);
        Assert.True(_f.Engine.IsBuiltDir("hello", "1.0", EngineFixture.Kernel, EngineFixture.Arch), "rolled back to built");
        Assert.Contains("Error! Problems with depmod detected. Automatically uninstalling this module.\n"
                        + "Install Failed (depmod problems). Module rolled back to built state.", _f.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, _f.Processes.Log.Count(l => l.StartsWith("depmod", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Install_KernelShipsNewerVersion_RefusedButCountedAsInstalled()
    {
        var mv = await _f.AddModuleAsync("hello");
        _f.Write($"modules/{EngineFixture.Kernel}/kernel/drivers/hello.ko", "the kernel's own\nversion: 2.0\n");

        var code = await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.False(File.Exists(_f.InstalledFile("hello")));
        Assert.Equal("the kernel's own\nversion: 2.0\n", await File.ReadAllTextAsync(Path.Combine(_f.KernelDir, "kernel", "drivers", "hello.ko")));
        Assert.Contains("modinfo hello.ko", _f.Processes.Log);
        Assert.Contains("Error! Module version 1.0 for hello.ko\nis not newer than what is already found in kernel " + EngineFixture.Kernel + " (2.0).",
            _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_SecondOfTwoModulesCannotBeCopied_NoneInstalledOriginalPutBackStatusBuiltRemoveClean()
    {
        var mv = await _f.AddModuleAsync("pair", "1.0", string.Empty, "alpha", "beta");
        const string kernelsOwn = "the kernel's own alpha\nversion: 0.9\n";
        var original = _f.Write($"modules/{EngineFixture.Kernel}/kernel/drivers/misc/alpha.ko", kernelsOwn);
        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var copies = 0;
        _f.Context.CopyModule = (source, target, asSymlink) =>
        {
            if (++copies == 2)
            {
                throw new IOException("No space left on device"); // room for one module only
            }

            Dkms.Core.Tree.AtomicFiles.WriteCopy(source, target, asSymlink);
        };

        var code = await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(6, code);
        Assert.Equal(2, copies);
        Assert.False(File.Exists(_f.InstalledFile("alpha")), "the module copied first is taken back");
        Assert.False(File.Exists(_f.InstalledFile("beta")));
        Assert.Equal(kernelsOwn, await File.ReadAllTextAsync(original)); // the original it displaced is back
        Assert.False(Directory.Exists(Path.Combine(_f.Settings.DkmsTree, "pair", "original_module")));
        Assert.False(_f.Engine.IsInstalled("pair", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Equal("pair/1.0, " + EngineFixture.Kernel + ", " + EngineFixture.Arch + ": built",
            (await _f.Engine.StatusAsync(null, null, null)).Single().ToLine());
        Assert.Empty(Directory.EnumerateFiles(_f.KernelDir, "*.dkms-*", SearchOption.AllDirectories));

        Assert.Equal(0, await _f.NewEngine().RemoveAsync(mv, _f.Engine.BuiltTargets(mv), ActionOptions.Default));
        Assert.Equal(kernelsOwn, await File.ReadAllTextAsync(original));
        Assert.DoesNotContain(Directory.EnumerateFiles(_f.KernelDir, "*.ko", SearchOption.AllDirectories), f => f != original);
    }

    [Fact]
    public async Task Install_CopyFailsOverAModuleAlreadyThere_ThatModuleKept()
    {
        var mv = await _f.AddModuleAsync("pair", "1.0", string.Empty, "alpha", "beta");
        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var stray = _f.Write($"modules/{EngineFixture.Kernel}/updates/dkms/alpha.ko", "left by an earlier install\n");
        var copies = 0;
        _f.Context.CopyModule = (source, target, asSymlink) =>
        {
            if (++copies == 2)
            {
                throw new IOException("No space left on device");
            }

            Dkms.Core.Tree.AtomicFiles.WriteCopy(source, target, asSymlink);
        };

        Assert.Equal(6, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Equal("left by an earlier install\n", await File.ReadAllTextAsync(stray));
        Assert.False(File.Exists(_f.InstalledFile("beta")));
        Assert.Empty(Directory.EnumerateFiles(_f.KernelDir, "*.dkms-*", SearchOption.AllDirectories));
    }
}
