namespace Dkms.Package.Tests.Flows;

/// <summary>Runs a flow's assertions; when one fails, the test output gets where the logs are and the container's journal.</summary>
internal static class FlowAssert
{
    public static void WithJournal(FlowRun run, ITestOutputHelper output, Action assertions)
    {
        try
        {
            assertions();
        }
        catch (Exception)
        {
            output.WriteLine($"{run.Flow} [{run.Provider}] logs: {run.LogDirectory}\n--- journalctl -b\n{run.Journal}");
            throw;
        }
    }

    /// <summary>The dkmsd run meets the dkms run: same exit codes, status lines and .ko files, step by step.</summary>
    public static void SameOutcome(FlowRun dkms, FlowRun dkmsd, ITestOutputHelper output)
    {
        foreach (var step in dkms.Steps)
        {
            var ours = dkmsd.Steps.FirstOrDefault(s => s.Step == step.Step);
            output.WriteLine($"{step.Step}: dkms exit {step.ExitCode} in {step.Duration.TotalSeconds:F1} s; "
                + (ours is null ? "dkmsd: not run" : $"dkmsd exit {ours.ExitCode} in {ours.Duration.TotalSeconds:F1} s"));
        }

        var differences = FlowComparison.Differences(dkms, dkmsd);
        WithJournal(dkmsd, output, () => Assert.True(differences.Count == 0,
            $"{dkmsd.Flow}: dkmsd differs from dkms:\n- {string.Join("\n- ", differences)}\nlogs: {dkms.LogDirectory}, {dkmsd.LogDirectory}"));
    }

    /// <summary>A line matching <paramref name="earlier"/> comes before the first line matching <paramref name="later"/>.</summary>
    public static void Before(StepOutcome step, string earlierName, Func<string, bool> earlier, string laterName, Func<string, bool> later)
    {
        var lines = step.OutputLines;
        var first = lines.ToList().FindIndex(l => later(l));
        var before = first < 0 ? -1 : lines.Take(first).ToList().FindIndex(l => earlier(l));
        Assert.True(first >= 0 && before >= 0,
            $"expected {earlierName} before {laterName} in the output (found the latter at line {first}).\n{step.Describe()}");
    }
}
