using Dkms.Core.Actions;

namespace Dkms.Core.Tests.Actions;

public sealed class UninstallTests : IDisposable
{
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string InstalledLink => Path.Combine(_f.Settings.DkmsTree, "hello", $"kernel-{EngineFixture.Kernel}-{EngineFixture.Arch}");

    [Fact]
    public async Task Uninstall_Installed_RemovesFileLinkAndEmptyDirsKeepsBuild()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));

        var code = await _f.Engine.UninstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.False(File.Exists(_f.InstalledFile("hello")));
        Assert.False(Directory.Exists(Path.Combine(_f.KernelDir, "updates")), "empty directories are pruned");
        Assert.Null(new FileInfo(InstalledLink).LinkTarget);
        Assert.True(_f.Engine.IsBuiltDir("hello", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Contains("Before uninstall, this module version was ACTIVE on this kernel.", _f.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, _f.Processes.Log.Count(l => l == $"depmod {EngineFixture.Kernel}"));
    }

    [Fact]
    public async Task Uninstall_NotInstalled_SaysSoRunsNothing()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await _f.Engine.BuildAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var calls = _f.Processes.Log.Count;

        var code = await _f.Engine.UninstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.Equal(calls, _f.Processes.Log.Count);
        Assert.True(_f.Engine.IsBuiltDir("hello", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
    }

    [Fact]
    public async Task Uninstall_DepmodFails_ModuleGoneAnyway()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        _f.Processes.DepmodExitCode = 3;

        var code = await _f.Engine.UninstallAsync(mv, [EngineFixture.Target], ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.False(File.Exists(_f.InstalledFile("hello")));
        Assert.Contains("depmod...(bad exit status: 3)", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_All_UninstallsUnbuildsAndDeletesTheModule_LeavesSource()
    {
        var mv = await _f.AddModuleAsync("hello");
        Assert.Equal(0, await _f.Engine.InstallAsync(mv, [EngineFixture.Target], ActionOptions.Default));
        var staging = Directory.CreateDirectory(Path.Combine(_f.Settings.DkmsTree, "hello", "1.0", EngineFixture.Kernel, ".tmp_x86_64_abc123"));
        File.WriteAllText(Path.Combine(staging.FullName, "half"), "a killed build's staging");

        var code = await _f.Engine.RemoveAsync(mv, _f.Engine.BuiltTargets(mv), ActionOptions.Default);

        Assert.Equal(0, code);
        Assert.False(Directory.Exists(Path.Combine(_f.Settings.DkmsTree, "hello")));
        Assert.False(File.Exists(_f.InstalledFile("hello")));
        Assert.True(File.Exists(Path.Combine(_f.Settings.SourceTree, "hello-1.0", "dkms.conf")));
        Assert.Empty(_f.Engine.ListVersions());
    }
}
