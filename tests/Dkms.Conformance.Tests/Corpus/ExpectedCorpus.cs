namespace Dkms.Conformance.Tests.Corpus;

/// <summary>
/// The one place that says what each corpus package should do. Source: the table "Observed with
/// Debian's dkms 3.0.10" in /work/shared/CORPUS.md (headers 6.1.0-53-amd64), corrected by the survey of
/// 6.1.0-56-amd64 (Linux 6.1.192) in /tmp/corpus/SUMMARY.md.
/// </summary>
/// <remarks>
/// When the reference dkms is on the machine it is the oracle and this table only checks the .ko names of
/// whatever builds; without it (CI) our result is checked against this table. Packages are listed in
/// CORPUS.md's order.
/// </remarks>
internal static class ExpectedCorpus
{
    public static readonly IReadOnlyList<CorpusPackage> Packages =
    [
        new("acpi-call-dkms", "acpi-call", "1.2.2", ExpectedOutcome.Builds, ["acpi_call"]),
        new("adv-17v35x-dkms", "adv-17v35x", "5.0.7.0", ExpectedOutcome.Builds, ["adv17v35x"]),
        new("bbswitch-dkms", "bbswitch", "0.8", ExpectedOutcome.Builds, ["bbswitch"]),
        new("ddcci-dkms", "ddcci", "0.4.2", ExpectedOutcome.Builds, ["ddcci", "ddcci-backlight"]),
        new("dm-writeboost-dkms", "dm-writeboost", "2.2.17", ExpectedOutcome.Builds, ["dm-writeboost"]),
        new("dpdk-kmods-dkms", "dpdk-kmods", "0~20220829+git", ExpectedOutcome.Builds, ["igb_uio"]),
        new("jool-dkms", "jool-dkms", "4.1.9", ExpectedOutcome.Builds, ["jool", "jool_common", "jool_siit"]),
        new("langford-dkms", "langford", "0.0.20130108", ExpectedOutcome.Builds, ["langford"]),
        new("librem-ec-acpi-dkms", "librem_ec_acpi", "0.9.1", ExpectedOutcome.BuildsOrFailsToCompile, ["librem_ec_acpi"],
            "Drift: CORPUS.md saw it build against 6.1.0-53; against 6.1.0-56 (Linux 6.1.192) a stable backport changed the "
            + "acpi_battery_hook callbacks and the reference dkms fails with exit 10 (SUMMARY.md)."),
        new("nat-rtsp-dkms", "nat-rtsp", "0.7+5.3", ExpectedOutcome.Builds, ["nf_conntrack_rtsp", "nf_nat_rtsp"]),
        new("v4l2loopback-dkms", "v4l2loopback", "0.12.7", ExpectedOutcome.Builds, ["v4l2loopback"]),
        new("vpoll-dkms", "vpoll", "0.1", ExpectedOutcome.Builds, ["vpoll"]),
        new("lttng-modules-dkms", "lttng-modules", "2.13.9", ExpectedOutcome.FailsToCompile, [],
            "The source does not compile against Debian 12's 6.1 headers (exit 10); it stays 'added'."),
    ];

    public static CorpusPackage Get(string package) =>
        Packages.SingleOrDefault(p => p.Package == package)
        ?? throw new ArgumentException($"{package} is not in the corpus table.", nameof(package));
}
