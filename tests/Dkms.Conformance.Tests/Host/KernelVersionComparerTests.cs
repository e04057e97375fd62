namespace Dkms.Conformance.Tests.Host;

/// <summary>Unit: picking the newest kernel among installed headers.</summary>
public sealed class KernelVersionComparerTests
{
    [Theory]
    [InlineData("6.1.0-9-amd64", "6.1.0-56-amd64")]
    [InlineData("6.1.0-56-amd64", "6.12.8-amd64")]
    [InlineData("5.10.0-30-amd64", "6.1.0-1-amd64")]
    public void Compare_OlderFirst_IsNegative(string older, string newer)
    {
        // Act
        var c = KernelVersionComparer.Instance.Compare(older, newer);

        // Assert
        Assert.True(c < 0, $"{older} should sort before {newer}");
    }
}
