using Dkms.Daemon.Options;

namespace Dkms.Daemon.Tests.Options;

public sealed class DaemonOptionsValidatorTests
{
    private static bool Valid(DaemonOptions o) => new DaemonOptionsValidator().Validate(null, o).Succeeded;

    [Fact]
    public void Validate_Defaults_Succeeds() => Assert.True(Valid(new DaemonOptions()));

    [Fact]
    public void Validate_RelativeSocket_Fails() => Assert.False(Valid(new DaemonOptions { Socket = "dkmsd.sock" }));

    [Fact]
    public void Validate_SocketPathLongerThanSunPath_Fails() =>
        Assert.False(Valid(new DaemonOptions { Socket = "/" + new string('a', DaemonOptionsValidator.MaxSocketPathBytes) }));

    [Fact]
    public void Validate_RelativeTree_Fails() => Assert.False(Valid(new DaemonOptions { DkmsTree = "var/lib/dkms" }));

    [Theory]
    [InlineData(0)]
    [InlineData(DaemonOptions.MaxWorkers + 1)]
    public void Validate_WorkersOutOfRange_Fails(int workers) => Assert.False(Valid(new DaemonOptions { Workers = workers }));
}
