using System.Text.RegularExpressions;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Sandbox;

/// <summary>
/// Compares one package built sandboxed (<c>build_sandbox="bwrap"</c>) with the same package built unsandboxed
/// (<c>"none"</c>) and returns every difference as one line; empty means the sandbox changed nothing.
/// </summary>
internal static partial class SandboxParityCheck
{
    public static List<string> Compare(RunResult sandboxed, RunResult unsandboxed, MakeLog? sandboxedLog, MakeLog? unsandboxedLog)
    {
        var failures = new List<string>();
        if (sandboxed.ExitCode != unsandboxed.ExitCode)
        {
            failures.Add($"exit code: none {unsandboxed.ExitCode}, bwrap {sandboxed.ExitCode}");
        }

        if (sandboxed.Module != unsandboxed.Module || sandboxed.Version != unsandboxed.Version)
        {
            failures.Add($"module/version added: none {unsandboxed.Module}/{unsandboxed.Version}, bwrap {sandboxed.Module}/{sandboxed.Version}");
        }

        Same(failures, "status lines", unsandboxed.StatusLines, sandboxed.StatusLines);
        Same(failures, "installed module files", unsandboxed.InstalledModules, sandboxed.InstalledModules);
        Same(failures, "built .ko files in the dkms tree", unsandboxed.BuiltModules, sandboxed.BuiltModules);
        Logs(failures, sandboxedLog, unsandboxedLog);
        return failures;
    }

    /// <summary>
    /// "make.log still shows everything": where the build got to make, both logs exist; a build that succeeded shows
    /// the same kbuild lines (CC, LD, MODPOST..., as sets: make -j2 orders them freely); a build that failed shows at
    /// least one compiler error line in common (which of two failing files make reaches first under -j2 varies).
    /// </summary>
    private static void Logs(List<string> failures, MakeLog? sandboxed, MakeLog? unsandboxed)
    {
        if ((sandboxed is null) != (unsandboxed is null))
        {
            failures.Add($"make.log: none {(unsandboxed is null ? "has none" : "has one")}, bwrap {(sandboxed is null ? "has none" : "has one")}");
            return;
        }

        if (sandboxed is null || unsandboxed is null)
        {
            return;
        }

        if (unsandboxed.Errors.Count == 0)
        {
            Same(failures, "make.log kbuild lines", unsandboxed.KbuildLines, sandboxed.KbuildLines);
            if (sandboxed.Errors.Count > 0)
            {
                failures.Add($"make.log errors only sandboxed: {string.Join(" | ", sandboxed.Errors.Take(5))}");
            }
        }
        else if (!unsandboxed.Errors.Intersect(sandboxed.Errors, StringComparer.Ordinal).Any())
        {
            failures.Add($"make.log errors: none [{string.Join(" | ", unsandboxed.Errors.Take(5))}], bwrap [{string.Join(" | ", sandboxed.Errors.Take(5))}]");
        }
    }

    private static void Same(List<string> failures, string what, IReadOnlyList<string> unsandboxed, IReadOnlyList<string> sandboxed)
    {
        if (!unsandboxed.SequenceEqual(sandboxed, StringComparer.Ordinal))
        {
            var onlyNone = unsandboxed.Except(sandboxed, StringComparer.Ordinal).Take(8);
            var onlyBwrap = sandboxed.Except(unsandboxed, StringComparer.Ordinal).Take(8);
            failures.Add($"{what}: only none [{string.Join(" | ", onlyNone)}], only bwrap [{string.Join(" | ", onlyBwrap)}]");
        }
    }

    /// <summary>The parts of a make.log compared: kbuild's short lines and compiler/make error lines, tree paths normalised.</summary>
    internal sealed record MakeLog(IReadOnlyList<string> KbuildLines, IReadOnlyList<string> Errors)
    {
        /// <summary>The make.log the run left in <paramref name="trees"/> (the build directory's, or the built one's), or null.</summary>
        public static MakeLog? Find(TempTrees trees)
        {
            var log = TreeFiles.Walk(trees.DkmsTree).FirstOrDefault(p => Path.GetFileName(p) == "make.log");
            return log is null ? null : Parse(trees.Normalise(File.ReadAllText(Path.Combine(trees.DkmsTree, log))));
        }

        public static MakeLog Parse(string text)
        {
            var lines = text.Split('\n').Select(l => l.TrimEnd()).ToList();
            return new MakeLog(
                [.. lines.Where(l => Kbuild().IsMatch(l)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                [.. lines.Where(l => Error().IsMatch(l)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
        }
    }

    // "  CC [M]  <dkmstree>/x/1/build/x.o", "  LD [M]  ...", "  MODPOST ...", "  BTF [M] ..." (quiet kbuild).
    [GeneratedRegex(@"^ {2}[A-Z][A-Z0-9_-]*( \[M\])? +\S")]
    private static partial Regex Kbuild();

    // gcc's "file:line:col: error: ...", "fatal error:", make's "*** [...] Error 1", and any "Read-only file system".
    [GeneratedRegex(@"(\berror:|\*\*\* .*Error \d+|Read-only file system|Permission denied)")]
    private static partial Regex Error();
}
