using System.Globalization;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Sandbox;

/// <summary>One package's line in the sandbox parity table.</summary>
internal sealed record ParityRow(string Package, RunResult Sandboxed, RunResult Unsandboxed, IReadOnlyList<string> Failures)
{
    public const string TableHeader =
        "| package | module/version | exit bwrap / none | status (both) | .ko built | s bwrap / none | same |\n|---|---|---|---|---|---|---|";

    public bool Same => Failures.Count == 0;

    public string ToTableRow() => string.Create(CultureInfo.InvariantCulture,
        $"| {Package} | {Sandboxed.Module}/{Sandboxed.Version} | {Sandboxed.ExitCode} / {Unsandboxed.ExitCode} | "
        + $"{Status(Sandboxed)}{(Sandboxed.StatusLines.SequenceEqual(Unsandboxed.StatusLines) ? string.Empty : " ≠ " + Status(Unsandboxed))} | "
        + $"{(Sandboxed.BuiltModules.Count == 0 ? "none" : string.Join(", ", Sandboxed.BuiltModules))} | "
        + $"{Sandboxed.Elapsed.TotalSeconds:F1} / {Unsandboxed.Elapsed.TotalSeconds:F1} | "
        + $"{(Same ? "yes" : "NO: " + string.Join("; ", Failures).Replace('|', '/'))} |");

    // "m/v, k, arch: installed" → "installed"; "m/v: added" → "added".
    private static string Status(RunResult run) =>
        run.StatusLines.Count == 0 ? "(no line)" : string.Join(" + ", run.StatusLines.Select(l => l[(l.LastIndexOf(": ", StringComparison.Ordinal) + 2)..]));
}
