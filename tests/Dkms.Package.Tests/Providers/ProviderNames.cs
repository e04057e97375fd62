namespace Dkms.Package.Tests.Providers;

internal static class ProviderNames
{
    /// <summary>The package name, which also names the provider's TSV table.</summary>
    public static string PackageName(this Provider provider) => provider switch
    {
        Provider.Dkms => "dkms",
        Provider.Dkmsd => "dkmsd",
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };
}
