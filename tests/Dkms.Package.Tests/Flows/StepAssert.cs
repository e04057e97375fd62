using System.Text.RegularExpressions;

namespace Dkms.Package.Tests.Flows;

/// <summary>Assertions on a recorded step whose failure messages show the step's command, status and output.</summary>
internal static class StepAssert
{
    public static void ExitCode(StepOutcome step, int expected) =>
        Assert.True(step.ExitCode == expected, $"expected exit {expected}.\n{step.Describe()}");

    public static void Succeeded(StepOutcome step) => ExitCode(step, 0);

    /// <summary>Each status line matches one pattern (anchored), and there is one line per pattern.</summary>
    public static void StatusMatches(StepOutcome step, params string[] patterns)
    {
        var unmatched = step.Status.Where(l => !patterns.Any(p => Regex.IsMatch(l, "^" + p + "$"))).ToList();
        var missing = patterns.Where(p => !step.Status.Any(l => Regex.IsMatch(l, "^" + p + "$"))).ToList();
        Assert.True(unmatched.Count == 0 && missing.Count == 0 && step.Status.Count == patterns.Length,
            $"status lines do not match.\nunexpected: {string.Join(" | ", unmatched)}\nmissing: {string.Join(" | ", missing)}\n{step.Describe()}");
    }

    public static void StatusEmpty(StepOutcome step) =>
        Assert.True(step.Status.Count == 0, $"expected an empty dkms status.\n{step.Describe()}");

    /// <summary>No status line names the kernel.</summary>
    public static void NoStatusFor(StepOutcome step, string kernel) =>
        Assert.True(!step.Status.Any(l => l.Contains($", {kernel},", StringComparison.Ordinal)),
            $"expected no status line for {kernel}.\n{step.Describe()}");

    public static void HasModules(StepOutcome step, string kernel, params string[] files)
    {
        var installed = step.ModulesFor(kernel);
        var missing = files.Where(f => !installed.Contains(f)).ToList();
        Assert.True(missing.Count == 0,
            $"missing under /lib/modules/{kernel}/updates/dkms: {string.Join(", ", missing)}.\n{step.Describe()}");
    }

    public static void NoModules(StepOutcome step) =>
        Assert.True(step.Modules.Count == 0, $"expected no .ko under /lib/modules/*/updates/dkms.\n{step.Describe()}");

    public static void ProbeEmpty(StepOutcome step, string probe) =>
        Assert.True(step.Probe(probe).Length == 0, $"probe '{probe}' should be empty but is:\n{step.Probe(probe)}\n{step.Describe()}");

    public static void ProbeIs(StepOutcome step, string probe, string expected) =>
        Assert.True(step.Probe(probe) == expected, $"probe '{probe}' should be '{expected}' but is:\n{step.Probe(probe)}\n{step.Describe()}");

    public static void SameStatus(StepOutcome expected, StepOutcome actual) =>
        Assert.True(expected.Status.SequenceEqual(actual.Status),
            $"status after '{actual.Step}' differs from after '{expected.Step}':\n  {string.Join("\n  ", expected.Status)}\n{actual.Describe()}");
}
