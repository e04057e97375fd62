using Dkms.Core.Actions;

namespace Dkms.Core.Tests.Actions;

public sealed class BuildTests : IDisposable
{
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Build_MakeWritesModule_PublishesModuleAndLogWithoutStaging()
    {
        var mv = await _f.AddModuleAsync("hello");

        var code = await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        var built = _f.BuiltDir(mv);
        Assert.Equal($"module hello.ko for {EngineFixture.Kernel}\nversion: 1.0\n", await File.ReadAllTextAsync(Path.Combine(built, "module", "hello.ko")));
        var log = await File.ReadAllTextAsync(Path.Combine(built, "log", "make.log"));
        Assert.StartsWith($"DKMS make.log for hello-1.0 for kernel {EngineFixture.Kernel} ({EngineFixture.Arch})\n", log, StringComparison.Ordinal);
        Assert.Contains($"fake make: make -j4 KERNELRELEASE={EngineFixture.Kernel} -C {_f.HeadersDir} M=", log, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", "build")), "the build copy is removed");
        Assert.Empty(Directory.EnumerateDirectories(Path.GetDirectoryName(built)!, ".tmp_*"));
        Assert.True(_f.Engine.IsBuiltDir("hello", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Contains("\nBuilding module:\nCleaning build area...", _f.Stdout, StringComparison.Ordinal);
        var build = Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", "build");
        Assert.Equal([$"clean {build}", $"make {build}", $"clean {build}"], _f.Processes.Log);
    }

    [Fact]
    public async Task Build_AlreadyBuilt_SkipsWithoutMake()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var makes = _f.Processes.Log.Count;

        var code = await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.Equal(makes, _f.Processes.Log.Count);
        Assert.Contains($"Module hello/1.0 already built for kernel {EngineFixture.Kernel} ({EngineFixture.Arch}), skip.", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_MakeFails_Exit10NothingPublishedLogKept()
    {
        var mv = await _f.AddModuleAsync("hello");
        File.WriteAllText(Path.Combine(_f.Settings.SourceTree, "hello-1.0", "fake-make-fails"), string.Empty);

        var code = await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(10, code);
        Assert.False(Directory.Exists(_f.BuiltDir(mv)));
        var log = Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", "build", "make.log");
        Assert.True(File.Exists(log), "the failed build's log stays for the user");
        Assert.Contains($"Error! Bad return status for module build on kernel: {EngineFixture.Kernel} ({EngineFixture.Arch})\nConsult {log} for more information.",
            _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_NoHeaders_Exit21BeforeMake()
    {
        var mv = await _f.AddModuleAsync("hello");
        Directory.Delete(Path.Combine(_f.HeadersDir, "include"));

        var code = await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(21, code);
        Assert.DoesNotContain(_f.Processes.Log, l => l.StartsWith("make", StringComparison.Ordinal));
        Assert.Contains("Error! Your kernel headers for kernel " + EngineFixture.Kernel + " cannot be found", _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_ModuleMissingAfterMake_Exit7AndNoStagingLeft()
    {
        var mv = await _f.AddModuleAsync("hello");
        File.WriteAllText(Path.Combine(_f.Settings.SourceTree, "hello-1.0", "fake-ko"), "other.ko 1.0\n");

        var code = await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(7, code);
        Assert.False(Directory.Exists(Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", EngineFixture.Kernel)));
    }
}
