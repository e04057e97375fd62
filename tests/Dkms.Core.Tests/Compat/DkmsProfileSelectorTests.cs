using Dkms.Core.Compat;
using Dkms.Core.Framework;
using Dkms.Core.Errors;

namespace Dkms.Core.Tests.Compat;

public sealed class DkmsProfileSelectorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Root(string osRelease, string where = "etc/os-release")
    {
        var root = Path.Combine(_dir.Path, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        _dir.Write(Path.Combine(Path.GetFileName(root), where), osRelease);
        return root;
    }

    [Theory]
    [InlineData("ID=debian\nVERSION_ID=\"12\"\n", "3.0")]
    [InlineData("ID=debian\nVERSION_ID=\"11\"\n", "3.0")]
    [InlineData("ID=debian\nVERSION_ID=\"13\"\n", "3.2")]
    [InlineData("ID=debian\n", "3.4")] // testing/sid: no VERSION_ID
    [InlineData("ID=ubuntu\nVERSION_ID=\"24.04\"\n", "3.0")]
    [InlineData("ID=ubuntu\nVERSION_ID=\"22.04\"\n", "3.0")]
    [InlineData("ID=ubuntu\nVERSION_ID=\"24.10\"\n", "3.4")]
    [InlineData("ID=linuxmint\nID_LIKE=\"ubuntu debian\"\nVERSION_ID=\"22\"\n", "3.4")]
    [InlineData("ID=fedora\nVERSION_ID=41\n", "3.4")]
    [InlineData("ID=arch\n", "3.4")]
    public void Choose_OsReleaseOnly_DistributionsDefault(string osRelease, string expected)
    {
        var choice = DkmsProfileSelector.Choose(null, null, Root(osRelease));

        Assert.Equal(expected, choice.Profile.Name);
        Assert.Equal("os-release", choice.Source);
    }

    [Fact]
    public void Choose_OnlyUsrLibOsRelease_ReadThere()
    {
        var choice = DkmsProfileSelector.Choose(null, null, Root("ID=debian\nVERSION_ID=\"13\"\n", "usr/lib/os-release"));

        Assert.Same(DkmsProfile.V32, choice.Profile);
    }

    [Fact]
    public void Choose_NoOsRelease_Others34()
    {
        var empty = Path.Combine(_dir.Path, "empty");
        Directory.CreateDirectory(empty);

        Assert.Same(DkmsProfile.V34, DkmsProfileSelector.Choose(null, null, empty).Profile);
    }

    [Fact]
    public void Choose_FrameworkValue_WinsOverOsRelease()
    {
        var choice = DkmsProfileSelector.Choose(null, "3.4", Root("ID=debian\nVERSION_ID=\"12\"\n"));

        Assert.Same(DkmsProfile.V34, choice.Profile);
        Assert.Equal("dkms_compat", choice.Source);
    }

    [Fact]
    public void Choose_Environment_WinsOverFrameworkAndOsRelease()
    {
        var choice = DkmsProfileSelector.Choose("3.2.2", "3.4", Root("ID=debian\nVERSION_ID=\"12\"\n"));

        Assert.Same(DkmsProfile.V32, choice.Profile);
        Assert.Equal("DKMS_COMPAT", choice.Source);
    }

    [Theory]
    [InlineData("3.1")]
    [InlineData("4.0")]
    [InlineData("latest")]
    [InlineData("3.x")]
    public void Choose_UnknownValue_FailsFast(string value)
    {
        var e = Assert.Throws<DkmsException>(() => DkmsProfileSelector.Choose(value, null, _dir.Path));

        Assert.Contains($"DKMS_COMPAT='{value}' names no dkms profile", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3.0", "3.0")]
    [InlineData("3.0.11", "3.0")]
    [InlineData("dkms-3.2.2", "3.2")]
    [InlineData(" 3.4.3 ", "3.4")]
    public void Find_ReleaseSpellings_Profile(string value, string expected) =>
        Assert.Equal(expected, DkmsProfile.Find(value)!.Name);

    [Fact]
    public async Task LoadAsync_DkmsCompatInFrameworkConf_ProfileAndSource()
    {
        var conf = _dir.Write("etc/framework.conf", "dkms_compat=\"3.4\"\n");

        var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides { FrameworkConf = conf, OsReleaseRoot = Root("ID=debian\nVERSION_ID=12\n") },
            environment: new Dictionary<string, string>());

        Assert.Same(DkmsProfile.V34, settings.Profile);
        Assert.Equal("dkms_compat", settings.ProfileSource);
    }

    [Fact]
    public async Task LoadAsync_EnvironmentDkmsCompat_WinsOverFrameworkConf()
    {
        var conf = _dir.Write("etc/framework.conf", "dkms_compat=\"3.4\"\nbuild_environment=/etc/dkms/env\n");

        var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides { FrameworkConf = conf },
            environment: new Dictionary<string, string> { ["DKMS_COMPAT"] = "3.2" });

        Assert.Same(DkmsProfile.V32, settings.Profile);
        Assert.Equal("DKMS_COMPAT", settings.ProfileSource);
        Assert.Null(settings.BuildEnvironment); // a 3.4 key: 3.2 has no build_environment
    }

    [Fact]
    public async Task LoadAsync_NothingSet_OsReleaseDecides()
    {
        var settings = await FrameworkConfLoader.LoadAsync(new FrameworkOverrides
        {
            FrameworkConf = Path.Combine(_dir.Path, "none", "framework.conf"),
            OsReleaseRoot = Root("ID=debian\nVERSION_ID=\"13\"\n"),
        }, environment: new Dictionary<string, string>());

        Assert.Same(DkmsProfile.V32, settings.Profile);
        Assert.Equal("os-release", settings.ProfileSource);
    }

    [Fact]
    public void FrameworkKeys_PerRelease_AddedKeysOnly()
    {
        Assert.DoesNotContain("post_transaction", DkmsProfile.V30.FrameworkKeys);
        Assert.Contains("post_transaction", DkmsProfile.V32.FrameworkKeys);
        Assert.DoesNotContain("build_environment", DkmsProfile.V32.FrameworkKeys);
        Assert.Contains("build_environment", DkmsProfile.V34.FrameworkKeys);
        Assert.Contains("try_sign_modules", DkmsProfile.V34.FrameworkKeys);
    }
}
