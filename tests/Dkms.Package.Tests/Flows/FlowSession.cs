using Dkms.Package.Tests.Infrastructure;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// One run of one flow in one booted container: runs each step's command, then reads what the step left behind
/// (<c>dkms status</c>, the installed .ko files, the step's probes), and records it in the TSV table and the logs.
/// </summary>
internal sealed class FlowSession(string flow, Provider provider, BootedContainer container, string kernel, Action<string> progress)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromMinutes(2);

    private readonly List<StepOutcome> _steps = [];
    private readonly Dictionary<string, string> _context = [];
    private readonly FlowLog _log = new(flow, provider.PackageName());

    public string Flow => flow;

    public Provider Provider => provider;

    public BootedContainer Container => container;

    /// <summary>The kernel the root was built with (its headers are installed; <c>uname -r</c> is the host's).</summary>
    public string Kernel => kernel;

    public IReadOnlyList<StepOutcome> Steps => _steps;

    public string LogDirectory => _log.Directory;

    /// <summary>Remembers a value the flow chose (e.g. the second kernel) for the assertions.</summary>
    public void Remember(string key, string value) => _context[key] = value;

    public void Progress(string line) => progress(line);

    /// <summary>Runs <paramref name="command"/> inside and records the step.</summary>
    public async Task<StepOutcome> StepAsync(string step, string command, TimeSpan timeout,
        Comparison comparison = Comparison.Full, params Probe[] probes)
    {
        progress($"{flow} [{provider.PackageName()}] {step}: {command}");
        var result = await container.ExecAsync(command, timeout).ConfigureAwait(false);
        return await RecordAsync(step, command, result, comparison, probes).ConfigureAwait(false);
    }

    /// <summary>Records a step whose command already ran (e.g. next to another command).</summary>
    public async Task<StepOutcome> RecordAsync(string step, string command, ProcessResult result,
        Comparison comparison = Comparison.Full, params Probe[] probes)
    {
        var status = await container.ExecAsync("dkms status", ReadTimeout).ConfigureAwait(false);
        var modules = await container.ExecAsync(
            "find /lib/modules -path '*/updates/dkms/*' -name '*.ko*' 2>/dev/null | sort", ReadTimeout).ConfigureAwait(false);
        var facts = new Dictionary<string, string>();
        if (status.Stderr.Trim().Length > 0 || status.ExitCode != 0)
        {
            facts["dkms status (exit, stderr)"] = $"{status.ExitCode}: {status.Stderr.Trim()}";
        }

        foreach (var probe in probes)
        {
            facts[probe.Name] = (await container.ExecAsync(probe.Command, ReadTimeout).ConfigureAwait(false)).Stdout.Trim();
        }

        var outcome = new StepOutcome(flow, step, provider.PackageName(), command, result,
            Lines(status.Stdout).Order(StringComparer.Ordinal).ToList(),
            [.. Lines(modules.Stdout).Select(m => m.StartsWith("/lib/modules/", StringComparison.Ordinal) ? m["/lib/modules/".Length..] : m)],
            facts, comparison);
        _steps.Add(outcome);
        FlowTable.Append(outcome);
        _log.Write(outcome);
        progress($"  -> exit {outcome.ExitCode} in {outcome.Duration.TotalSeconds:F1} s; status: {string.Join(" | ", outcome.Status)}");
        return outcome;
    }

    public FlowRun Finish(string journal)
    {
        _log.WriteJournal(journal);
        return new FlowRun(flow, provider.PackageName(), kernel, [.. _steps], new Dictionary<string, string>(_context), journal, _log.Directory);
    }

    public void SaveJournal(string journal) => _log.WriteJournal(journal);

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0);
}
