using Dkms.Core.Actions;
using Dkms.Core.Errors;

namespace Dkms.Core.Tests.Actions;

public sealed class AutoinstallTests : IDisposable
{
    private readonly EngineFixture _f = new();

    public void Dispose() => _f.Dispose();

    private string BuildDirOf(string module) => Path.Combine(_f.Settings.DkmsTree, module, "1.0", "build");

    [Fact]
    public async Task Autoinstall_BuildDepends_DependencyInstalledFirst()
    {
        // "alpha" sorts first but needs "zeta": zeta must be built and installed before alpha's build starts.
        await _f.AddModuleAsync("alpha", extraConf: "BUILD_DEPENDS[0]=zeta\n");
        await _f.AddModuleAsync("zeta");

        Assert.Equal(0, await _f.Engine.AutoinstallAsync(EngineFixture.Target, ActionOptions.Default));

        var makes = _f.Processes.Log.Where(l => l.StartsWith("make ", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"make {BuildDirOf("zeta")}", $"make {BuildDirOf("alpha")}"], makes);
        Assert.True(_f.Engine.IsInstalled("zeta", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.True(_f.Engine.IsInstalled("alpha", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
    }

    [Fact]
    public async Task Autoinstall_NewestVersionOnly_OlderLeftAlone()
    {
        await _f.AddModuleAsync("hello", "1.0");
        await _f.AddModuleAsync("hello", "1.10");

        Assert.Equal(0, await _f.Engine.AutoinstallAsync(EngineFixture.Target, ActionOptions.Default));

        Assert.True(_f.Engine.IsInstalled("hello", "1.10", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.False(_f.Engine.IsBuiltDir("hello", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
    }

    [Fact]
    public async Task Autoinstall_MissingDependency_OthersInstalledThenExit11()
    {
        await _f.AddModuleAsync("needy", extraConf: "BUILD_DEPENDS[0]=nothere\n");
        await _f.AddModuleAsync("plain");

        var e = await Assert.ThrowsAsync<DkmsException>(() => _f.Engine.AutoinstallAsync(EngineFixture.Target, ActionOptions.Default));

        Assert.Equal(11, e.ExitCode);
        Assert.True(_f.Engine.IsInstalled("plain", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.False(_f.Engine.IsBuiltDir("needy", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Contains("needy/1.0 autoinstall failed due to missing dependencies: nothere", _f.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall_OneBuildFails_OthersStillInstalledThenExit11()
    {
        await _f.AddModuleAsync("broken");
        await _f.AddModuleAsync("fine");
        File.WriteAllText(Path.Combine(_f.Settings.SourceTree, "broken-1.0", "fake-make-fails"), string.Empty);

        var e = await Assert.ThrowsAsync<DkmsException>(() => _f.Engine.AutoinstallAsync(EngineFixture.Target, ActionOptions.Default));

        Assert.Equal(11, e.ExitCode);
        Assert.True(_f.Engine.IsInstalled("fine", "1.0", EngineFixture.Kernel, EngineFixture.Arch));
        Assert.Contains("Error! Bad return status for module build on kernel: " + EngineFixture.Kernel, _f.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Autoinstall_NoAutoinstallFile_NothingRuns()
    {
        await _f.AddModuleAsync("hello");
        _f.Write("etc/no-autoinstall", string.Empty);

        Assert.Equal(0, await _f.Engine.AutoinstallAsync(EngineFixture.Target, ActionOptions.Default));

        Assert.Empty(_f.Processes.Log);
        Assert.Contains("Automatic installation of modules has been disabled.", _f.Stdout, StringComparison.Ordinal);
    }
}
