using Dkms.Core.Install;

namespace Dkms.Core.Tests.Install;

public sealed class ObsoleteByTests
{
    [Theory]
    [InlineData("6.1.0-56-amd64", "6.1", true)]        // same upstream, OBSOLETE_BY has no ABI part
    [InlineData("6.2.0-1-amd64", "6.1.0-56", true)]     // newer upstream
    [InlineData("6.1.0-56-amd64", "6.1.0-57", false)]   // same upstream, older ABI
    [InlineData("6.1.0-57-amd64", "6.1.0-56", true)]    // same upstream, newer ABI
    [InlineData("5.10.0-20-amd64", "6.1", false)]
    public void IsObsolete_SplitsUpstreamAndAbi(string kernel, string obsoleteBy, bool obsolete) =>
        Assert.Equal(obsolete, VersionCheck.IsObsolete(kernel, obsoleteBy));
}
