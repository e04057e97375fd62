using System.Globalization;
using Dkms.Package.Tests.Infrastructure;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// artifacts/package-flows/PROVIDER.tsv: one line per step, appended as the step ends, so that scripts/test-packages
/// can put the two providers side by side (REPORT.md). Columns: flow, step, provider, exit code, seconds, the status
/// lines joined with " | ", the installed .ko files per kernel, and how the step is compared between the providers
/// (full, exitcode or none: see <see cref="Comparison"/>).
/// </summary>
internal static class FlowTable
{
    private static readonly Lock Writing = new();

    public static string PathFor(string provider) => Path.Combine(RepositoryPaths.PackageFlows, provider + ".tsv");

    public static void Append(StepOutcome step)
    {
        var line = string.Join('\t',
            Clean(step.Flow),
            Clean(step.Step),
            Clean(step.Provider),
            step.ExitCode.ToString(CultureInfo.InvariantCulture),
            step.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),
            Clean(string.Join(" | ", step.Status)),
            Clean(step.ModuleSummary),
            step.Comparison.ToString().ToLowerInvariant());
        lock (Writing)
        {
            Directory.CreateDirectory(RepositoryPaths.PackageFlows);
            File.AppendAllText(PathFor(step.Provider), line + "\n");
        }
    }

    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
