using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// (d) dkmsd stopped and masked, then a dkms package is installed: dkms must still work without the daemon. Under
/// Debian's dkms there is no daemon to stop, so the flow is a plain install (run anyway, for the table).
/// </summary>
internal sealed class MaskedDaemonFlow : IFlow
{
    public const string StopAndMask = "stop and mask dkmsd";
    public const string Install = "install acpi-call-dkms";
    public const string Purge = "purge acpi-call-dkms";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static MaskedDaemonFlow Instance { get; } = new();

    public string Name => "masked-daemon";

    public TimeSpan Timeout => TimeSpan.FromMinutes(30);

    public async Task RunAsync(FlowSession session)
    {
        Probe[] daemon = [new("units", "systemctl is-active dkmsd.service dkmsd.socket; systemctl is-enabled dkmsd.service dkmsd.socket")];
        await ProviderInstaller.InstallAsync(session, session.Provider).ConfigureAwait(false);
        await session.StepAsync(StopAndMask,
            "systemctl stop dkmsd.service dkmsd.socket; systemctl mask dkmsd.service dkmsd.socket",
            TimeSpan.FromMinutes(2), Comparison.None, daemon).ConfigureAwait(false);
        await session.StepAsync(Install, "apt-get install -y acpi-call-dkms", StepTimeout, Comparison.Full, daemon).ConfigureAwait(false);
        await session.StepAsync(Purge, "apt-get purge -y acpi-call-dkms", StepTimeout, Comparison.Full, daemon).ConfigureAwait(false);
    }
}
