using System.Globalization;
using System.Text;
using Dkms.Package.Tests.Infrastructure;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// Full logs of one flow run under artifacts/package-flows/logs/FLOW-PROVIDER/: one file per step (command, exit,
/// output, status, modules, probes) and the container's journal. Replaced by the next run of the same flow.
/// </summary>
internal sealed class FlowLog
{
    private int _count;

    public FlowLog(string flow, string provider)
    {
        Directory = Path.Combine(RepositoryPaths.PackageFlows, "logs", $"{flow}-{provider}");
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }

        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public void Write(StepOutcome step)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"$ {step.Command}\n")
            .Append(CultureInfo.InvariantCulture, $"# exit {step.ExitCode} after {step.Duration.TotalSeconds:F1} s\n")
            .Append("--- stdout\n").Append(step.Result.Stdout)
            .Append("\n--- stderr\n").Append(step.Result.Stderr)
            .Append("\n--- dkms status\n").AppendJoin('\n', step.Status)
            .Append("\n--- /lib/modules/*/updates/dkms\n").AppendJoin('\n', step.Modules);
        foreach (var (name, value) in step.Probes)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n--- probe {name}\n{value}");
        }

        var slug = new string([.. step.Step.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
        File.WriteAllText(Path.Combine(Directory, $"{++_count:D2}-{slug}.log"), text.Append('\n').ToString());
    }

    public void WriteJournal(string journal) => File.WriteAllText(Path.Combine(Directory, "journal.txt"), journal);
}
