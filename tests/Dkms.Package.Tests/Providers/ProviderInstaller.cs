using Dkms.Package.Tests.Flows;

namespace Dkms.Package.Tests.Providers;

/// <summary>Installs a provider with apt inside the container, as a recorded step of the flow.</summary>
internal static class ProviderInstaller
{
    public const string Step = "install provider";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    /// <summary>Which of the two packages dpkg has, and whether the daemon runs.</summary>
    public static readonly Probe[] ProviderProbes =
    [
        new("packages", "dpkg-query -W -f='${Package} ${db:Status-Abbrev}\\n' dkms dkmsd 2>/dev/null"),
        new("dkmsd.service", "systemctl is-active dkmsd.service"),
    ];

    public static Task<StepOutcome> InstallAsync(FlowSession session, Provider provider, string step = Step) => provider switch
    {
        Provider.Dkms => session.StepAsync(step, "apt-get install -y dkms", Timeout, Comparison.Full, ProviderProbes),
        Provider.Dkmsd => InstallDkmsdAsync(session, step, "apt-get install -y"),
        _ => throw new ArgumentOutOfRangeException(nameof(provider)),
    };

    /// <summary>Copies our .deb to /root and runs <paramref name="aptCommand"/> on it from there.</summary>
    public static Task<StepOutcome> InstallDkmsdAsync(FlowSession session, string step, string aptCommand, Probe[]? probes = null)
    {
        var deb = DkmsdPackage.Find();
        var name = Path.GetFileName(deb);
        session.Container.CopyIn(deb, "/root/" + name);
        return session.StepAsync(step, $"cd /root && {aptCommand} ./{name}", Timeout, Comparison.Full, probes ?? ProviderProbes);
    }
}
