using Dkms.Cli.CommandLine;

namespace Dkms.Cli.Tests.CommandLine;

public sealed class DkmsArgumentParserTests
{
    [Fact]
    public void Parse_ActionAndModuleVersionPositional()
    {
        var a = DkmsArgumentParser.Parse(["build", "hello/1.0", "-k", "6.1.0-56-amd64", "-k", "6.2.0-1-amd64/aarch64"]);

        Assert.Equal("build", a.Action);
        Assert.Equal(("hello", "1.0"), (a.Module, a.Version));
        Assert.Equal(["6.1.0-56-amd64", "6.2.0-1-amd64"], a.Kernels);
        Assert.Equal([null, "aarch64"], a.KernelArches);
    }

    [Fact]
    public void Parse_LongOptionsWithEqualsOrSpace()
    {
        var a = DkmsArgumentParser.Parse(["install", "--module=hello/2.0", "--kernelver", "6.1.0-56-amd64", "--dkmstree=/t/d", "--directive", "AUTOINSTALL=no", "--force"]);

        Assert.Equal(("hello", "2.0"), (a.Module, a.Version));
        Assert.Equal("/t/d", a.DkmsTree);
        Assert.Equal(["AUTOINSTALL=no"], a.Directives);
        Assert.True(a.Force);
    }

    [Fact]
    public void Parse_ShortOptionsNeedSeparateValue()
    {
        var a = DkmsArgumentParser.Parse(["add", "-m", "hello", "-v", "1.0", "-j", "4", "-c", "/x/dkms.conf"]);

        Assert.Equal(("hello", "1.0"), (a.Module, a.Version));
        Assert.Equal(4, a.Jobs);
        Assert.Equal("/x/dkms.conf", a.ConfFile);
    }

    [Theory]
    [InlineData("-j4")]
    [InlineData("-mhello")]
    [InlineData("--bogus")]
    [InlineData("--force=yes")]
    public void Parse_UnknownOrGluedOption_Exit2(string option)
    {
        var e = Assert.Throws<UsageException>(() => DkmsArgumentParser.Parse(["build", option]));

        Assert.Equal(2, e.ExitCode);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OptionMissingValue_Exit2() =>
        Assert.Equal(2, Assert.Throws<UsageException>(() => DkmsArgumentParser.Parse(["build", "-k"])).ExitCode);

    [Fact]
    public void Parse_PathsClassifiedByWhatExists()
    {
        var dir = Directory.CreateTempSubdirectory("dkmsd-parse-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "dkms.conf"), string.Empty);
            var tarball = Path.Combine(dir, "m.dkms.tar.gz");
            File.WriteAllText(tarball, string.Empty);

            Assert.Equal(dir, DkmsArgumentParser.Parse(["add", dir]).SourcePath);
            Assert.Equal(dir, DkmsArgumentParser.Parse(["add", Path.Combine(dir, "dkms.conf")]).SourcePath);
            Assert.Equal(tarball, DkmsArgumentParser.Parse(["ldtarball", tarball]).ArchivePath);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Parse_SeveralActions_AllKept()
    {
        var a = DkmsArgumentParser.Parse(["build", "install", "m/v"]);

        Assert.Equal(["build", "install"], a.Actions);
    }

    [Fact]
    public void Parse_AbsolutePathThatDoesNotExist_IsEmptyModule()
    {
        var a = DkmsArgumentParser.Parse(["remove", "/no/such/dir"]);

        Assert.Equal(string.Empty, a.Module);
        Assert.Equal("no/such/dir", a.Version);
    }

    [Fact]
    public void Parse_DeprecatedOptions_AcceptedWithWarning()
    {
        var a = DkmsArgumentParser.Parse(["status", "--no-initrd"]);

        Assert.Equal(["Deprecated feature: --no-initrd"], a.Warnings);
    }
}
