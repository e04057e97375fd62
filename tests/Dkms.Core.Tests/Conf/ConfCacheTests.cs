using Dkms.Core.Conf;
using Dkms.Core.Framework;

namespace Dkms.Core.Tests.Conf;

public sealed class ConfCacheTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConfCache _cache = new();
    private int _reads;

    private ConfContext Context(string kernel = "6.1.0-56-amd64") => new()
    {
        Settings = new DkmsSettings { FrameworkConf = Path.Combine(_dir.Path, "etc", "framework.conf") },
        Kernel = kernel,
        Arch = "x86_64",
        KernelSourceDir = Path.Combine(_dir.Path, "ksrc"),
        KernelConfig = Path.Combine(_dir.Path, "ksrc", ".config"),
        Module = "m",
        ModuleVersion = "1.0",
    };

    private Task<DkmsConf> Get(string conf, ConfContext ctx) => _cache.GetOrReadAsync(conf, ctx, strict: false, () =>
    {
        _reads++;
        return DkmsConfReader.ReadAsync(conf, ctx, strict: false);
    });

    [Fact]
    public async Task GetOrReadAsync_UnchangedInputs_EvaluatesOnce()
    {
        var conf = _dir.Write("m-1.0/dkms.conf", "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\n");

        var first = await Get(conf, Context());
        var second = await Get(conf, Context());

        Assert.Same(first, second);
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task GetOrReadAsync_ConfOverrideOrKernelConfigChanges_Reevaluates()
    {
        var conf = _dir.Write("m-1.0/dkms.conf", "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\n");
        await Get(conf, Context());

        File.AppendAllText(conf, "AUTOINSTALL=yes\n");
        File.SetLastWriteTimeUtc(conf, DateTime.UtcNow.AddMinutes(1));
        Assert.True((await Get(conf, Context())).Autoinstall);

        _dir.Write("etc/m.conf", "AUTOINSTALL=no\n");
        Assert.False((await Get(conf, Context())).Autoinstall);

        _dir.Write("ksrc/.config", "CONFIG_X=y\n");
        await Get(conf, Context());

        await Get(conf, Context("6.2.0-1-amd64"));
        Assert.Equal(5, _reads);
    }

    [Fact]
    public async Task GetOrReadAsync_EvaluationFails_FailureAnsweredFromMemoryUntilTheConfChanges()
    {
        var counter = Path.Combine(_dir.Path, "evaluations");
        var conf = _dir.Write("m-1.0/dkms.conf", $"echo x >> {counter}\nwhile :; do :; done\n");
        var ctx = Context() with { Settings = Context().Settings with { ConfTimeout = TimeSpan.FromMilliseconds(300) } };

        for (var i = 0; i < 20; i++)
        {
            var e = await Assert.ThrowsAsync<Errors.DkmsException>(() => Get(conf, ctx));
            Assert.Equal(Errors.DkmsExitCode.BadConf, e.ExitCode);
        }

        Assert.Single(File.ReadAllLines(counter));

        File.WriteAllText(conf, "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nDEST_MODULE_LOCATION[0]=/extra\n");
        File.SetLastWriteTimeUtc(conf, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal("m", (await Get(conf, ctx)).PackageName);
    }

    [Fact]
    public async Task GetOrReadAsync_ConfFloodsStderr_CachedEvaluationKeepsABoundedStderr()
    {
        var conf = _dir.Write("m-1.0/dkms.conf", "PACKAGE_NAME=m\nPACKAGE_VERSION=1.0\nfor i in $(seq 20000); do echo \"noise line $i\" >&2; done\n");

        var read = await Get(conf, Context());

        Assert.True(read.Stderr.Length <= ConfCache.MaxStderrChars + 100, $"{read.Stderr.Length} chars of stderr kept");
        Assert.StartsWith("noise line 1\n", read.Stderr, StringComparison.Ordinal);
        Assert.EndsWith("noise line 20000\n", read.Stderr, StringComparison.Ordinal);
        Assert.Contains("bytes cut …]", read.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
