using Dkms.Core.Versioning;

namespace Dkms.Core.Tests.Versioning;

public sealed class VersionOrderTests
{
    [Theory]
    [InlineData("6.1.0-53-amd64", "006.001.000-053-amd064")]
    [InlineData("4.12-rc1", "004.012-rc001")]
    [InlineData("1000", "1000")]
    public void VerKey_DkmsExamples_PadsShortNumbers(string version, string key) =>
        Assert.Equal(key, VersionOrder.VerKey(version));

    [Theory]
    [InlineData("4.12-rc1", "4.12", 1)]
    [InlineData("1000", "999", -1)]
    [InlineData("6.1.0-56-amd64", "6.10", -1)]
    [InlineData("2.0", "2.0", 0)]
    public void CompareVer_MatchesDkms(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(VersionOrder.CompareVer(a, b)));

    [Fact]
    public void CompareNatural_SortsLikeSortV()
    {
        string[] input = ["6.10.0-1-amd64", "6.9.0-2-amd64", "6.1.0-56-amd64", "1.0~rc1", "1.0", "1.0a", "1.10", "1.9"];

        var sorted = input.Order(VersionOrder.Natural).ToArray();

        Assert.Equal(["1.0~rc1", "1.0", "1.0a", "1.9", "1.10", "6.1.0-56-amd64", "6.9.0-2-amd64", "6.10.0-1-amd64"], sorted);
    }
}
