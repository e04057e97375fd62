using Dkms.Conformance.Tests.Corpus;
using Dkms.Conformance.Tests.Host;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Checks;

/// <summary>
/// Compares dkmsctl's run with the reference dkms's (or, without the reference, with
/// <see cref="ExpectedCorpus"/>) and returns every difference as one line; empty means conformant.
/// </summary>
/// <remarks>
/// Names are compared, not bytes: the reference strips and signs modules with its MOK key and dkmsctl does
/// not sign yet, so the .ko contents legitimately differ.
/// </remarks>
internal static class ConformanceCheck
{
    /// <summary>dkms's exit code for a failed make.</summary>
    public const int BuildFailedExitCode = 10;

    private const string InstalledWhat = "installed module files under <installtree>/<k>";

    public static List<string> AgainstReference(CorpusPackage expected, RunResult ours, RunResult reference)
    {
        var failures = new List<string>();
        if (ours.Succeeded != reference.Succeeded || (!ours.Succeeded && ours.ExitCode != reference.ExitCode))
        {
            failures.Add($"exit code: dkms {reference.ExitCode}, dkmsctl {ours.ExitCode}");
        }

        if (ours.Module != reference.Module || ours.Version != reference.Version)
        {
            failures.Add($"module/version added: dkms {reference.Module}/{reference.Version}, dkmsctl {ours.Module}/{ours.Version}");
        }

        Same(failures, "status lines", "dkms", reference.StatusLines, ours.StatusLines);
        Same(failures, InstalledWhat, "dkms", reference.InstalledModules, ours.InstalledModules);
        Same(failures, "built .ko files in the dkms tree", "dkms", reference.BuiltModules, ours.BuiltModules);
        AgainstTableModules(failures, expected, reference);
        AgainstTableModules(failures, expected, ours);
        NoShieldWrites(failures, ours);
        return failures;
    }

    public static List<string> AgainstTable(CorpusPackage expected, RunResult ours, TestKernel kernel, string arch)
    {
        var failures = new List<string>();
        var exitOk = ours.ExitCode switch
        {
            0 => expected.MayBuild,
            BuildFailedExitCode => expected.MayFail,
            _ => false,
        };
        if (!exitOk)
        {
            failures.Add($"exit code: expected {Describe(expected.Outcome)}, dkmsctl exited {ours.ExitCode}");
        }

        if (ours.Module != expected.Module || ours.Version != expected.Version)
        {
            failures.Add($"module/version added: expected {expected.Module}/{expected.Version}, dkmsctl {ours.Module}/{ours.Version}");
        }

        var id = $"{expected.Module}/{expected.Version}";
        List<string> status = ours.Succeeded ? [$"{id}, {kernel.Version}, {arch}: installed"] : [$"{id}: added"];
        Same(failures, "status lines", "expected", status, ours.StatusLines);
        List<string> installed = ours.Succeeded ? [.. expected.KernelModules.Select(m => $"updates/dkms/{m}.ko").Order(StringComparer.Ordinal)] : [];
        Same(failures, InstalledWhat, "expected", installed, ours.InstalledModules);
        AgainstTableModules(failures, expected, ours);
        NoShieldWrites(failures, ours);
        return failures;
    }

    // CORPUS.md's .ko list holds for whichever run built the package.
    private static void AgainstTableModules(List<string> failures, CorpusPackage expected, RunResult run)
    {
        if (run.Succeeded)
        {
            Same(failures, ".ko files built", "CORPUS.md", [.. expected.KernelModules.Order(StringComparer.Ordinal)], run.BuiltModules, run.Label);
        }
    }

    // dkmsctl was given explicit trees; anything under the shielded /var/lib/dkms or /lib/modules is a write
    // that would have landed on the machine. (The reference writes its MOK key there by design.)
    private static void NoShieldWrites(List<string> failures, RunResult ours)
    {
        if (ours.ShieldWrites.Count > 0)
        {
            failures.Add($"dkmsctl wrote outside its trees: {string.Join(", ", ours.ShieldWrites)}");
        }
    }

    private static void Same(List<string> failures, string what, string expectedLabel, IReadOnlyList<string> expected,
        IReadOnlyList<string> actual, string actualLabel = "dkmsctl")
    {
        if (!expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            failures.Add($"{what}: {expectedLabel} [{string.Join(" | ", expected)}], {actualLabel} [{string.Join(" | ", actual)}]");
        }
    }

    private static string Describe(ExpectedOutcome outcome) => outcome switch
    {
        ExpectedOutcome.Builds => "0 (builds)",
        ExpectedOutcome.FailsToCompile => $"{BuildFailedExitCode} (compile failure)",
        _ => $"0 or {BuildFailedExitCode} (known drift)",
    };
}
