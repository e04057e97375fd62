namespace Dkms.Conformance.Tests.Sandbox;

/// <summary>
/// The packages built twice, sandboxed and not: every Debian 12 <c>*-dkms</c> package the configured apt sources offer
/// (<c>apt-cache search --names-only -- '-dkms$'</c>, 31 names) that is a dkms source package, i.e. all but
/// <c>dh-dkms</c> (the debhelper add-on, no module source). CORPUS.md's 13 first, then the other 17.
/// </summary>
/// <remarks>
/// Each is a few hundred KB or less; none was skipped for size. Packages that do not build against Debian 12's 6.1
/// headers stay in: the outcome (the same failure both ways) is part of what is compared.
/// </remarks>
internal static class ParityCorpus
{
    public static readonly IReadOnlyList<string> All =
    [
        "acpi-call-dkms", "adv-17v35x-dkms", "bbswitch-dkms", "ddcci-dkms", "dm-writeboost-dkms", "dpdk-kmods-dkms",
        "jool-dkms", "langford-dkms", "librem-ec-acpi-dkms", "nat-rtsp-dkms", "v4l2loopback-dkms", "vpoll-dkms",
        "lttng-modules-dkms",
        "apfs-dkms", "dahdi-dkms", "digimend-dkms", "evdi-dkms", "falcosecurity-scap-dkms", "gost-crypto-dkms",
        "iptables-netflow-dkms", "lime-forensics-dkms", "openafs-modules-dkms", "openrazer-driver-dkms", "openvpn-dco-dkms",
        "rapiddisk-dkms", "rtpengine-kernel-dkms", "tp-smapi-dkms", "west-chamber-dkms", "xtables-addons-dkms", "xtrx-dkms",
    ];

    /// <summary>
    /// The CI-sized sample: small and quick, yet one with two modules in sub-directories (ddcci, whose Makefiles name
    /// /lib/modules/&lt;k&gt;/build) and one whose dkms.conf computes its directives with bash (acpi-call).
    /// </summary>
    public static readonly IReadOnlyList<string> Representative = ["vpoll-dkms", "acpi-call-dkms", "ddcci-dkms"];
}
