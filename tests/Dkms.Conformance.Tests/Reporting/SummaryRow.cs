using System.Globalization;

namespace Dkms.Conformance.Tests.Reporting;

/// <summary>One package's line in the conformance summary.</summary>
internal sealed record SummaryRow(string Package, int OursExit, int? ReferenceExit, bool Match, TimeSpan OursTime, TimeSpan? ReferenceTime)
{
    public const string TableHeader = "| package | dkmsctl exit | dkms exit | match | dkmsctl s | dkms s |\n|---|---|---|---|---|---|";

    /// <summary>The line printed to the test output.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"{Package,-22} dkmsctl={OursExit,-3} dkms={ReferenceExit?.ToString(CultureInfo.InvariantCulture) ?? "-",-3} "
        + $"match={(Match ? "yes" : "no"),-3} dkmsctl={OursTime.TotalSeconds,6:F1}s dkms={Seconds(ReferenceTime),6}s");

    /// <summary>The row of the markdown table written to the report file.</summary>
    public string ToTableRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Package} | {OursExit} | {ReferenceExit?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {(Match ? "yes" : "no")} | "
        + $"{OursTime.TotalSeconds:F1} | {Seconds(ReferenceTime)} |");

    private static string Seconds(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
