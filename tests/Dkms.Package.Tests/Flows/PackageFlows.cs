namespace Dkms.Package.Tests.Flows;

/// <summary>Every flow test shares one <see cref="FlowRuns"/>: one container run per flow and provider.</summary>
[CollectionDefinition(Name)]
public sealed class PackageFlows : ICollectionFixture<FlowRuns>
{
    public const string Name = "Package flows";
}
