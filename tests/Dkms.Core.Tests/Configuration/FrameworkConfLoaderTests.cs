using Dkms.Core.Framework;
using Dkms.Core.Errors;

namespace Dkms.Core.Tests.Configuration;

public sealed class FrameworkConfLoaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    private Task<DkmsSettings> Load(Dictionary<string, string>? env = null, FrameworkOverrides? overrides = null, string? kernel = null) =>
        FrameworkConfLoader.LoadAsync(overrides ?? new FrameworkOverrides { FrameworkConf = Path.Combine(_dir.Path, "framework.conf") },
            kernel, env ?? []);

    [Fact]
    public async Task LoadAsync_NoFiles_DkmsDefaults()
    {
        var s = await Load();

        Assert.Equal("/var/lib/dkms", s.DkmsTree);
        Assert.Equal("/usr/src", s.SourceTree);
        Assert.Equal("/lib/modules", s.InstallTree);
        Assert.Equal(Environment.ProcessorCount, s.ParallelJobs);
        Assert.Equal("--check=crc32 --lzma2=dict=1MiB", s.CompressXzOptions);
        Assert.Equal(_dir.Path, s.ConfigDir);
    }

    [Fact]
    public async Task LoadAsync_FrameworkAndDropIns_LaterWinsInNameOrder()
    {
        _dir.Write("framework.conf", "dkms_tree=/srv/dkms\nparallel_jobs=3\nsign_file=/x/$kernelver/sign-file\n");
        _dir.Write("framework.conf.d/10-a.conf", "parallel_jobs=5\nbuild_timeout=60\n");
        _dir.Write("framework.conf.d/20-b.conf", "parallel_jobs=7\ndo_status() { echo hijacked; }\n");
        _dir.Write("framework.conf.d/ignored.txt", "parallel_jobs=99\n");

        var s = await Load(kernel: "6.1.0-56-amd64");

        Assert.Equal("/srv/dkms", s.DkmsTree);
        Assert.Equal(7, s.ParallelJobs);
        Assert.Equal("/x/6.1.0-56-amd64/sign-file", s.SignFile);
        Assert.Equal(TimeSpan.FromSeconds(60), s.BuildTimeout);
    }

    [Fact]
    public async Task LoadAsync_CommentsOnly_SameSettingsAsBashWouldGive()
    {
        var env = new Dictionary<string, string> { ["parallel_jobs"] = "3", ["sign_file"] = "/env/sign-file" };
        _dir.Write("framework.conf", "# dkms_tree=/commented/out\n\n   # parallel_jobs=9\n\t# sign_file=/x\r\n");
        var fast = await Load(env, kernel: "6.1.0-56-amd64");
        _dir.Write("framework.conf", "# dkms_tree=/commented/out\n:\n"); // a command: evaluated by bash
        var slow = await Load(env, kernel: "6.1.0-56-amd64");

        Assert.False(FrameworkConfLoader.IsInert(Path.Combine(_dir.Path, "framework.conf")));
        Assert.Equal(slow, fast);
        Assert.Equal(("/var/lib/dkms", 3, "/env/sign-file"), (fast.DkmsTree, fast.ParallelJobs, fast.SignFile));
    }

    [Fact]
    public async Task LoadAsync_EnvironmentLeaksIntoUninitialisedVariablesOnly()
    {
        var s = await Load(new Dictionary<string, string> { ["parallel_jobs"] = "1", ["dkms_tree"] = "/from/env" });

        Assert.Equal(1, s.ParallelJobs);
        Assert.Equal("/var/lib/dkms", s.DkmsTree);
    }

    [Fact]
    public async Task LoadAsync_CommandLineOverridesFiles()
    {
        _dir.Write("framework.conf", "dkms_tree=/srv/dkms\nparallel_jobs=3\n");

        var s = await Load(overrides: new FrameworkOverrides
        {
            FrameworkConf = Path.Combine(_dir.Path, "framework.conf"),
            DkmsTree = "/tmp/x",
            ParallelJobs = 0,
        });

        Assert.Equal("/tmp/x", s.DkmsTree);
        Assert.Null(s.ParallelJobs);
    }

    [Fact]
    public async Task LoadAsync_BadNumber_ClearError()
    {
        _dir.Write("framework.conf", "parallel_jobs=lots\n");

        var e = await Assert.ThrowsAsync<DkmsException>(() => Load());

        Assert.Contains("parallel_jobs 'lots'", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
