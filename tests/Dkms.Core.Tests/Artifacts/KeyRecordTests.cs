using System.Text;
using Dkms.Core.Artifacts;

namespace Dkms.Core.Tests.Artifacts;

public sealed class KeyRecordTests
{
    private static KeyRecord Fixed() => new()
    {
        Module = "hello",
        Version = "1.0",
        Kernel = "6.1.0-27-amd64",
        Arch = "x86_64",
        Source =
        [
            new KeyFile("Makefile", "644", "aa"),
            new KeyFile("dkms.conf", "644", "bb"),
        ],
        Overrides = [new KeyFile("hello.conf", "644", "cc")],
        KernelBuild = [new("Module.symvers", "dd"), new("include/config/auto.conf", "absent")],
        Compiler = [new("config_cc_version_text", "gcc-12 (Debian 12.2.0-14) 12.2.0"), new("cc", "gcc-12"), new("cc_version", "gcc-12 (x) 12.2.0")],
        BuildEnvironment = [new("make", "make -C ${kernel_source_dir} M=${dkms_tree}/hello/1.0/build"), new("env.CC", "gcc-12")],
    };

    [Fact]
    public void ToCanonicalJson_FixedInputs_FixedBytesAndKey()
    {
        var json = Encoding.UTF8.GetString(Fixed().ToCanonicalJson());

        var expected = ("{'schema':'dkmsd.key.v1','recipe':'dkmsd-recipe-1','module':'hello','version':'1.0','kernel':'6.1.0-27-amd64','arch':'x86_64',"
            + "'source':[['Makefile','644','aa'],['dkms.conf','644','bb']],'overrides':[['hello.conf','644','cc']],"
            + "'kbuild':{'Module.symvers':'dd','include/config/auto.conf':'absent'},"
            + "'cc':{'config_cc_version_text':'gcc-12 (Debian 12.2.0-14) 12.2.0','cc':'gcc-12','cc_version':'gcc-12 (x) 12.2.0'},"
            + "'build_environment':{'make':'make -C ${kernel_source_dir} M=${dkms_tree}/hello/1.0/build','env.CC':'gcc-12'}}").Replace('\'', '"');
        Assert.Equal(expected, json);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(json))), Fixed().Key());
    }

    [Fact]
    public void Key_AnyInputChanged_Differs()
    {
        var keys = new[]
        {
            Fixed().Key(),
            (Fixed() with { Kernel = "6.1.0-28-amd64" }).Key(),
            (Fixed() with { Source = [new KeyFile("Makefile", "644", "aa"), new KeyFile("dkms.conf", "755", "bb")] }).Key(),
            (Fixed() with { Overrides = [] }).Key(),
            (Fixed() with { KernelBuild = [new("Module.symvers", "de"), new("include/config/auto.conf", "absent")] }).Key(),
            (Fixed() with { Compiler = [new("cc_version", "gcc-13")] }).Key(),
        };

        Assert.Equal(keys.Length, keys.Distinct().Count());
        Assert.Matches("^[0-9a-f]{64}$", keys[0]);
    }

    [Fact]
    public void SourceFiles_Tree_SortedWithModesHashesAndLinks()
    {
        using var dir = new TempDir();
        dir.Write("b.c", "int x;");
        dir.Write("patches/1.patch", "p");
        dir.Write("dkms.conf", "PACKAGE_NAME=x");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "a-link"), "b.c");
        File.SetUnixFileMode(Path.Combine(dir.Path, "b.c"), (UnixFileMode)Convert.ToInt32("755", 8));

        var files = KeyRecordBuilder.SourceFiles(dir.Path);

        Assert.Equal(["a-link", "b.c", "dkms.conf", "patches/1.patch"], files.Select(f => f.Path));
        Assert.Equal(new KeyFile("a-link", "link", "b.c"), files[0]);
        Assert.Equal("755", files[1].Mode);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("int x;"u8)), files[1].Sha256);
    }
}
