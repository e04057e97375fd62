using Dkms.Cli.Tests.Infrastructure;

namespace Dkms.Cli.Tests.Integration;

/// <summary>One tree, two tools: a tree written by Debian's dkms 3.0.10 reads the same in dkmsctl, and the other way round.</summary>
public sealed class InteropTests : IDisposable
{
    private readonly TestTrees _t = new();

    [Fact]
    public async Task TreeWrittenByDkms_ReadAndChangedByDkmsctl()
    {
        ReferenceDkms.Require();
        _ = _t.SourceTreeModule("interop");
        _ = _t.SourceTreeModule("interop", "2.0");
        _ = _t.SourceTreeModule("onlyadded");
        Assert.Equal(0, (await ReferenceDkms.RunAsync(_t, "add", "-m", "onlyadded", "-v", "1.0")).ExitCode);
        var install = await ReferenceDkms.RunAsync(_t, "install", "-m", "interop", "-v", "1.0", "-k", _t.Kernel);
        Assert.True(install.ExitCode == 0, install.ToString());
        var build = await ReferenceDkms.RunAsync(_t, "build", "-m", "interop", "-v", "2.0", "-k", _t.Kernel);
        Assert.True(build.ExitCode == 0, build.ToString());

        var theirs = await ReferenceDkms.RunAsync(_t, "status");
        var ours = await _t.RunAsync("status");

        Assert.Equal(theirs.Stdout, ours.Stdout);
        Assert.Contains($"interop/1.0, {_t.Kernel}, {TestTrees.ArchName}: installed", ours.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ours.Stderr);

        var uninstall = await _t.RunAsync("uninstall", "interop/1.0", "-k", _t.Kernel);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(File.Exists(Path.Combine(_t.UpdatesDir, "interop.ko")));
        var remove = await _t.RunAsync("remove", "interop/2.0", "--all");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal((await ReferenceDkms.RunAsync(_t, "status")).Stdout, (await _t.RunAsync("status")).Stdout);
    }

    [Fact]
    public async Task TreeWrittenByDkmsctl_ReadAndChangedByDkms()
    {
        ReferenceDkms.Require();
        _ = _t.SourceTreeModule("ours");
        _ = _t.SourceTreeModule("ours", "2.0");
        Assert.Equal(0, (await _t.RunAsync("install", "ours/1.0", "-k", _t.Kernel)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("build", "ours/2.0", "-k", _t.Kernel)).ExitCode);
        Assert.Equal(0, (await _t.RunAsync("add", _t.Module("plain").Dir)).ExitCode);

        var ours = await _t.RunAsync("status");
        var theirs = await ReferenceDkms.RunAsync(_t, "status");

        Assert.Equal(ours.Stdout, theirs.Stdout);
        Assert.Equal(string.Empty, WithoutProcfsProbeNoise(theirs.Stderr));

        var uninstall = await ReferenceDkms.RunAsync(_t, "uninstall", "-m", "ours", "-v", "1.0", "-k", _t.Kernel);
        Assert.True(uninstall.ExitCode == 0, uninstall.ToString());
        Assert.False(File.Exists(Path.Combine(_t.UpdatesDir, "ours.ko")));
        var remove = await ReferenceDkms.RunAsync(_t, "remove", "-m", "ours", "-v", "2.0", "--all");
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal((await _t.RunAsync("status")).Stdout, (await ReferenceDkms.RunAsync(_t, "status")).Stdout);
    }

    /// <summary>dkms 3.0.10 probes /proc with <c>[ -e &lt;(echo) ]</c>, whose echo may hit a closed pipe: not about the tree.</summary>
    private static string WithoutProcfsProbeNoise(string stderr) =>
        string.Concat(stderr.Split('\n').Where(l => l.Length > 0 && !l.Contains("echo: write error", StringComparison.Ordinal))
            .Select(l => l + "\n"));

    public void Dispose() => _t.Dispose();
}
