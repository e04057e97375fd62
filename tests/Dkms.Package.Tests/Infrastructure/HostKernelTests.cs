namespace Dkms.Package.Tests.Infrastructure;

public sealed class HostKernelTests
{
    [Fact]
    public void PickNewest_SeveralAbis_HighestNumberNotLexicalOrder()
    {
        // Act
        var newest = HostKernel.PickNewest(["6.1.0-9-amd64", "6.1.0-57-amd64", "6.1.0-100-amd64", "6.18.44-fc-v657", "6.1.0-57-rt-amd64"]);

        // Assert
        Assert.Equal("6.1.0-100-amd64", newest);
    }

    [Fact]
    public void PickNewest_NoDebianKernel_Null()
    {
        // Act
        var newest = HostKernel.PickNewest(["6.18.44-fc-v657"]);

        // Assert
        Assert.Null(newest);
    }
}
