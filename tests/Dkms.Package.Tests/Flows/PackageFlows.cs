namespace Dkms.Package.Tests.Flows;

/// <summary>Every flow test shares one <see cref="FlowRuns"/>: one container run per flow and provider.</summary>
[CollectionDefinition(Name)]
public sealed class PackageFlows : ICollectionFixture<FlowRuns>
{
    public const string Name = "Package flows";

    /// <summary>
    /// The category of every test that boots a container (root, mmdebstrap, systemd-nspawn, minutes each), so that a
    /// run of the whole solution can leave them out with <c>--filter Category!=Containers</c>.
    /// </summary>
    public const string Category = "Containers";
}
