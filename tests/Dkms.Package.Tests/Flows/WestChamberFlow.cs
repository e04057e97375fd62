using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// (a) One module needs another package's module: west-chamber-dkms Depends on xtables-addons-dkms and its MAKE
/// links xtables-addons' source. Install, reinstall, then purge both.
/// </summary>
internal sealed class WestChamberFlow : IFlow
{
    public const string Install = "install west-chamber-dkms";
    public const string Reinstall = "reinstall west-chamber-dkms";
    public const string Purge = "purge west-chamber-dkms xtables-addons-dkms";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static WestChamberFlow Instance { get; } = new();

    public string Name => "west-chamber";

    public TimeSpan Timeout => TimeSpan.FromMinutes(35);

    public async Task RunAsync(FlowSession session)
    {
        await ProviderInstaller.InstallAsync(session, session.Provider).ConfigureAwait(false);
        await session.StepAsync(Install, "apt-get install -y west-chamber-dkms", StepTimeout).ConfigureAwait(false);
        await session.StepAsync(Reinstall, "apt-get install --reinstall -y west-chamber-dkms", StepTimeout).ConfigureAwait(false);
        await session.StepAsync(Purge, "apt-get purge -y west-chamber-dkms xtables-addons-dkms", StepTimeout, Comparison.Full,
            new Probe("sources", "ls -d /usr/src/west-chamber-* /usr/src/xtables-addons-* 2>/dev/null"),
            new Probe("dkms tree", "ls -d /var/lib/dkms/west-chamber /var/lib/dkms/xtables-addons 2>/dev/null")).ConfigureAwait(false);
    }
}
