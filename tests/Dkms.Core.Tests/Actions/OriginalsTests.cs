using Dkms.Core.Actions;

namespace Dkms.Core.Tests.Actions;

public sealed class OriginalsTests : IDisposable
{
    private const string KernelsOwn = "the kernel's own\nversion: 0.9\n";
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string Original => Path.Combine(_f.KernelDir, "kernel", "drivers", "misc", "hello.ko");

    private string Store => Path.Combine(_f.Settings.DkmsTree, "hello", "original_module", EngineFixture.Kernel, EngineFixture.Arch);

    [Fact]
    public async Task Install_KernelHasOlderModule_ArchivedWithItsOrigin()
    {
        var mv = await _f.AddModuleAsync("hello");
        _f.Write($"modules/{EngineFixture.Kernel}/kernel/drivers/misc/hello.ko", KernelsOwn);

        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.False(File.Exists(Original), "moved out of the install tree");
        Assert.Equal(KernelsOwn, await File.ReadAllTextAsync(Path.Combine(Store, "hello.ko")));
        Assert.Equal(Original + "\n", await File.ReadAllTextAsync(Path.Combine(Store, "hello.ko.origin")));
        Assert.Contains($"   - Found {Original}\n   - Storing in {Store}/\n   - Archiving for uninstallation purposes\n", _f.Stdout, StringComparison.Ordinal);
        Assert.Contains(" (original_module exists)", (await _f.Engine.StatusAsync(null, null, null)).Single().ToLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uninstall_ArchivedOriginal_PutBackAndStoreDropped()
    {
        var mv = await _f.AddModuleAsync("hello");
        _f.Write($"modules/{EngineFixture.Kernel}/kernel/drivers/misc/hello.ko", KernelsOwn);
        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Equal(0, await _f.Engine.UninstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.Equal(KernelsOwn, await File.ReadAllTextAsync(Original));
        Assert.False(Directory.Exists(Path.Combine(_f.Settings.DkmsTree, "hello", "original_module")), "the empty store is dropped");
        Assert.Contains($"   - Archived original module found in the DKMS tree\n   - Moving it to: {Path.GetDirectoryName(Original)}/\n", _f.Stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uninstall_OriginLeadsOutsideTheKernel_NotRestored()
    {
        var mv = await _f.AddModuleAsync("hello");
        _f.Write($"modules/{EngineFixture.Kernel}/kernel/drivers/misc/hello.ko", KernelsOwn);
        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var outside = Path.Combine(_f.Root, "elsewhere", "hello.ko");
        await File.WriteAllTextAsync(Path.Combine(Store, "hello.ko.origin"), outside + "\n");

        Assert.Equal(0, await _f.Engine.UninstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        Assert.False(File.Exists(outside));
        Assert.True(File.Exists(Path.Combine(Store, "hello.ko")), "kept rather than lose a module");
        Assert.Contains($"Warning: Bad original location {outside}", _f.Stderr, StringComparison.Ordinal);
    }
}
