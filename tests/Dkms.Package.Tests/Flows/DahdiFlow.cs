using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>(b) Several modules in one package: dahdi-dkms builds 35 .ko files (about 90 s on two cores with dkms).</summary>
internal sealed class DahdiFlow : IFlow
{
    public const string Install = "install dahdi-dkms";
    public const string Purge = "purge dahdi-dkms";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(20);

    public static DahdiFlow Instance { get; } = new();

    public string Name => "dahdi";

    public TimeSpan Timeout => TimeSpan.FromMinutes(50);

    public async Task RunAsync(FlowSession session)
    {
        await ProviderInstaller.InstallAsync(session, session.Provider).ConfigureAwait(false);
        await session.StepAsync(Install, "apt-get install -y dahdi-dkms", StepTimeout).ConfigureAwait(false);
        await session.StepAsync(Purge, "apt-get purge -y dahdi-dkms", StepTimeout, Comparison.Full,
            new Probe("sources", "ls -d /usr/src/dahdi-* 2>/dev/null")).ConfigureAwait(false);
    }
}
