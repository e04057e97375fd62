using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// (f) Switching providers on a system with a module built: Debian's dkms first, then our .deb replaces it (the
/// existing /var/lib/dkms is kept), then Debian's dkms replaces ours again and reads the same tree; last, our package
/// is installed, reinstalled, removed and purged. Recorded under the dkmsd provider only.
/// </summary>
internal sealed class SwitchingFlow : IFlow
{
    public const string InstallDkms = "install dkms";
    public const string InstallModule = "install acpi-call-dkms (under dkms)";
    public const string SwitchToDkmsd = "switch to dkmsd (apt-get install ./dkmsd.deb)";
    public const string SwitchBack = "switch back (apt-get install dkms)";
    public const string InstallAgain = "install dkmsd again";
    public const string Reinstall = "reinstall dkmsd";
    public const string Remove = "remove dkmsd";
    public const string Purge = "purge dkmsd";

    /// <summary>What our package installs besides the programs: man pages and completions, and bash using them.</summary>
    public const string DocsProbe = "docs";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static SwitchingFlow Instance { get; } = new();

    public string Name => "switch";

    public TimeSpan Timeout => TimeSpan.FromMinutes(40);

    public async Task RunAsync(FlowSession session)
    {
        var probes = ProviderInstaller.ProviderProbes.Append(new Probe("dkms tree", "ls /var/lib/dkms/acpi-call 2>/dev/null")).ToArray();
        await ProviderInstaller.InstallAsync(session, Provider.Dkms, InstallDkms).ConfigureAwait(false);
        await session.StepAsync(InstallModule, "apt-get install -y acpi-call-dkms", StepTimeout, Comparison.Full, probes).ConfigureAwait(false);
        Probe[] withDocs =
        [
            .. probes,
            new(DocsProbe, "dpkg -L dkmsd | grep -E '/man/|completion' | sort; "
                + "bash -c '. /usr/share/bash-completion/completions/dkms && complete -p dkms dkmsctl'"),
        ];
        await ProviderInstaller.InstallDkmsdAsync(session, SwitchToDkmsd, "apt-get install -y", withDocs).ConfigureAwait(false);
        await session.StepAsync(SwitchBack, "apt-get install -y dkms", StepTimeout, Comparison.Full, probes).ConfigureAwait(false);
        await ProviderInstaller.InstallDkmsdAsync(session, InstallAgain, "apt-get install -y", probes).ConfigureAwait(false);
        await ProviderInstaller.InstallDkmsdAsync(session, Reinstall, "apt-get install --reinstall -y", probes).ConfigureAwait(false);
        await session.StepAsync(Remove, "apt-get remove -y dkmsd", StepTimeout, Comparison.Full, probes).ConfigureAwait(false);
        await session.StepAsync(Purge, "apt-get purge -y dkmsd", StepTimeout, Comparison.Full, probes).ConfigureAwait(false);
    }
}
