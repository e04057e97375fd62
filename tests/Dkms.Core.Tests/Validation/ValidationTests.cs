using Dkms.Core.Errors;
using Dkms.Core.Validation;

namespace Dkms.Core.Tests.Validation;

public sealed class ValidationTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Theory]
    [InlineData("v4l2loopback")]
    [InlineData("0~20220829+git")]
    [InlineData("6.1.0-56-amd64")]
    [InlineData("librem_ec_acpi")]
    public void Problem_RealNames_Accepted(string name) => Assert.Null(NameValidator.Problem(name));

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("../etc")]
    [InlineData("1..2")]
    [InlineData("bad\nname")]
    [InlineData("tab\there")]
    [InlineData("sp ace")]
    [InlineData("-rf")]
    public void Problem_HostileNames_Refused(string name) => Assert.NotNull(NameValidator.Problem(name));

    [Fact]
    public void Require_HostileName_Exit1WithPrintableMessage()
    {
        var e = Assert.Throws<DkmsException>(() => NameValidator.Require("a\u0001b", "module name"));

        Assert.Equal(1, e.ExitCode);
        Assert.Contains("a\\x01b", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_PlainRelativePath_JoinsUnderRoot()
    {
        var p = PathGuard.Inside(_dir.Path, "updates/dkms/x.ko", "DEST_MODULE_LOCATION");

        Assert.Equal(Path.Combine(_dir.Path, "updates/dkms/x.ko"), p);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/../../outside")]
    [InlineData("/kernel/../../../etc/passwd")]
    public void Inside_DotDotEscape_Refused(string relative)
    {
        var e = Assert.Throws<DkmsException>(() => PathGuard.Inside(_dir.Path, relative, "DEST_MODULE_LOCATION"));

        Assert.Contains("DEST_MODULE_LOCATION", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_SymlinkLeadingOut_Refused()
    {
        var root = Path.Combine(_dir.Path, "root");
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "updates"), "/etc");

        var e = Assert.Throws<DkmsException>(() => PathGuard.Inside(root, "updates/dkms/x.ko", "DEST_MODULE_LOCATION"));

        Assert.Equal(8, e.ExitCode);
    }

    [Fact]
    public void Inside_SymlinkStayingInside_Accepted()
    {
        var root = Path.Combine(_dir.Path, "root");
        Directory.CreateDirectory(Path.Combine(root, "real"));
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine(root, "real"));

        var p = PathGuard.Inside(root, "alias/x.ko", "BUILT_MODULE_LOCATION");

        Assert.Equal(Path.Combine(root, "alias", "x.ko"), p);
    }

    public void Dispose() => _dir.Dispose();
}
