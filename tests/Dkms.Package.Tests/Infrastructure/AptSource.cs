namespace Dkms.Package.Tests.Infrastructure;

/// <summary>One suite of one mirror, as a one-line <c>deb URI SUITE COMPONENTS</c> entry for mmdebstrap.</summary>
internal sealed record AptSource(string Uri, string Suite, IReadOnlyList<string> Components)
{
    public string ToOneLine() => $"deb {Uri} {Suite} {string.Join(' ', Components)}";
}
