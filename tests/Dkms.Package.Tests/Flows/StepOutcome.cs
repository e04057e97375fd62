using Dkms.Package.Tests.Infrastructure;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// One step of a flow as it happened: the command's result, then what <c>dkms status</c> said, which .ko files were
/// under /lib/modules/*/updates/dkms/ (as <c>KERNEL/updates/dkms/FILE</c>) and the step's probes.
/// </summary>
internal sealed record StepOutcome(
    string Flow,
    string Step,
    string Provider,
    string Command,
    ProcessResult Result,
    IReadOnlyList<string> Status,
    IReadOnlyList<string> Modules,
    IReadOnlyDictionary<string, string> Probes,
    Comparison Comparison)
{
    public int ExitCode => Result.ExitCode;

    public TimeSpan Duration => Result.Duration;

    /// <summary>The command's output lines, stdout then stderr.</summary>
    public IReadOnlyList<string> OutputLines => Result.Output.Split('\n');

    /// <summary>The .ko files installed for one kernel (file names only).</summary>
    public IReadOnlyList<string> ModulesFor(string kernel) =>
        [.. Modules.Where(m => m.StartsWith(kernel + "/", StringComparison.Ordinal)).Select(Path.GetFileName).OfType<string>()];

    public string Probe(string name) =>
        Probes.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"Step '{Step}' has no probe '{name}'.");

    /// <summary>One line per kernel: how many .ko files it has, e.g. "6.1.0-57-amd64: 26 .ko".</summary>
    public string ModuleSummary =>
        string.Join(", ", Modules.GroupBy(m => m.Split('/')[0]).Select(g => $"{g.Key}: {g.Count()} .ko"));

    /// <summary>What a failed assertion prints: the step, its command and the end of its output.</summary>
    public string Describe() =>
        $"[{Provider}] {Flow} / {Step}: `{Command}` exited {ExitCode} after {Duration.TotalSeconds:F1} s\n"
        + $"status:\n  {string.Join("\n  ", Status)}\nmodules: {ModuleSummary}\n--- output (end)\n{Result.Tail(60)}";
}
