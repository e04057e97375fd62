namespace Dkms.Package.Tests.Flows;

/// <summary>What differs between the dkms run and the dkmsd run of one flow, step by step.</summary>
internal static class FlowComparison
{
    public static IReadOnlyList<string> Differences(FlowRun dkms, FlowRun dkmsd)
    {
        var differences = new List<string>();
        foreach (var expected in dkms.Steps.Where(s => s.Comparison != Comparison.None))
        {
            var actual = dkmsd.Steps.FirstOrDefault(s => s.Step == expected.Step);
            if (actual is null)
            {
                differences.Add($"{expected.Step}: dkmsd never got there");
                continue;
            }

            if (actual.ExitCode != expected.ExitCode)
            {
                differences.Add($"{expected.Step}: exit {actual.ExitCode} under dkmsd, {expected.ExitCode} under dkms");
            }

            if (expected.Comparison != Comparison.Full)
            {
                continue;
            }

            if (!actual.Status.SequenceEqual(expected.Status))
            {
                differences.Add($"{expected.Step}: status under dkmsd\n    {string.Join("\n    ", actual.Status)}\n  under dkms\n    {string.Join("\n    ", expected.Status)}");
            }

            var extra = actual.Modules.Except(expected.Modules).ToList();
            var missing = expected.Modules.Except(actual.Modules).ToList();
            if (extra.Count > 0 || missing.Count > 0)
            {
                differences.Add($"{expected.Step}: .ko files only under dkmsd: {string.Join(", ", extra)}; only under dkms: {string.Join(", ", missing)}");
            }
        }

        return differences;
    }
}
