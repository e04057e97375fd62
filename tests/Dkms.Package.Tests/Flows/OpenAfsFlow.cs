using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>A long build: openafs-modules-dkms (one big module), installed and purged.</summary>
internal sealed class OpenAfsFlow : IFlow
{
    public const string Install = "install openafs-modules-dkms";
    public const string Purge = "purge openafs-modules-dkms";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(40);

    public static OpenAfsFlow Instance { get; } = new();

    public string Name => "openafs";

    public TimeSpan Timeout => TimeSpan.FromMinutes(90);

    public async Task RunAsync(FlowSession session)
    {
        await ProviderInstaller.InstallAsync(session, session.Provider).ConfigureAwait(false);
        await session.StepAsync(Install, "apt-get install -y openafs-modules-dkms", StepTimeout).ConfigureAwait(false);
        await session.StepAsync(Purge, "apt-get purge -y openafs-modules-dkms", StepTimeout, Comparison.Full,
            new Probe("sources", "ls -d /usr/src/openafs-* 2>/dev/null")).ConfigureAwait(false);
    }
}
