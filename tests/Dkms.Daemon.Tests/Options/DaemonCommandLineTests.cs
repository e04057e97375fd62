using Dkms.Daemon.Options;

namespace Dkms.Daemon.Tests.Options;

public sealed class DaemonCommandLineTests
{
    [Fact]
    public void Parse_TreeOptionsAndFlag_MapToTheSection()
    {
        var values = DaemonCommandLine.Parse(["--socket", "/run/x.sock", "--dkmstree=/d", "--no-depmod", "--sourcetree", "/s"]);

        Assert.Equal("/run/x.sock", values["Dkmsd:Socket"]);
        Assert.Equal("/d", values["Dkmsd:DkmsTree"]);
        Assert.Equal("/s", values["Dkmsd:SourceTree"]);
        Assert.Equal("true", values["Dkmsd:NoDepmod"]);
    }

    [Fact]
    public void Parse_UnknownOption_Throws() => Assert.Throws<ArgumentException>(() => DaemonCommandLine.Parse(["--sokcet", "/x"]));

    [Fact]
    public void Parse_MissingValue_Throws() => Assert.Throws<ArgumentException>(() => DaemonCommandLine.Parse(["--socket"]));
}
