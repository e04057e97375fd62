using Dkms.Cli.CommandLine;
using Dkms.Cli.Commands;

namespace Dkms.Cli.Tests.Commands;

/// <summary>Which preflights dkmsctl may hand to dkmsd: those whose headers and config dkmsd sees as the caller does.</summary>
public sealed class PreflightCommandTests
{
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("/usr/src/linux-headers-6.1.0-57-amd64", null, true)]
    [InlineData("/usr/src/linux-headers-6.1.0-57-amd64", "/boot/config-6.1.0-57-amd64", true)]
    [InlineData("/tmp/headers", null, false)] // PrivateTmp=: dkmsd's /tmp is another one
    [InlineData("/var/tmp/headers", null, false)]
    [InlineData("/home/me/linux", null, false)] // ProtectHome=
    [InlineData("/root/linux", null, false)]
    [InlineData("/run/user/1000/linux", null, false)]
    [InlineData("/usr/src/linux", "/tmp/config", false)]
    [InlineData("/tmpfoo/headers", null, true)] // a prefix of a name is not the directory
    public void DaemonSeesPaths_HeadersAndConfig_OnlyOutsideWhatTheUnitHides(string? headers, string? config, bool seen)
    {
        string[] argv = ["preflight", "-k", "6.1.0-57-amd64"];
        argv = headers is null ? argv : [.. argv, "--kernelsourcedir", headers];
        argv = config is null ? argv : [.. argv, "--config", config];

        Assert.Equal(seen, PreflightCommand.DaemonSeesPaths(DkmsArgumentParser.Parse(argv)));
    }
}
