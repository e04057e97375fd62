namespace Dkms.Package.Tests.Flows;

/// <summary>An apt scenario, run in a fresh container once per provider.</summary>
internal interface IFlow
{
    /// <summary>Names the flow in the tables, the logs and the container.</summary>
    string Name { get; }

    /// <summary>The bound on the whole flow, setup included.</summary>
    TimeSpan Timeout { get; }

    /// <summary>Installs the provider (its first recorded step) and drives apt.</summary>
    Task RunAsync(FlowSession session);
}
