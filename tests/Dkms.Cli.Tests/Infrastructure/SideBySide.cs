using System.Text.RegularExpressions;

namespace Dkms.Cli.Tests.Infrastructure;

/// <summary>
/// The same steps run by dkmsctl on one set of trees (<see cref="Ours"/>) and by Debian's dkms 3.0.10 on another
/// (<see cref="Theirs"/>), for tests whose expectation is dkms's own output. Both outputs are written with each
/// tree's root as <c>&lt;trees&gt;</c>. The paths dkms hard-codes, which <see cref="ReferenceDkms"/> bind-mounts
/// over, are written as what they reach there: <c>/lib/modules</c> is the install tree, and dkms's key pair under
/// <c>/var/lib/dkms</c> is dkmsctl's under the dkms tree. Progress dots (one per 3 s of a step) are dropped.
/// </summary>
internal sealed partial class SideBySide : IDisposable
{
    public TestTrees Ours { get; } = new();

    public TestTrees Theirs { get; } = new();

    /// <summary>Runs the command <paramref name="args"/> makes for each tree, with each tool.</summary>
    public async Task<(CliResult Ours, CliResult Theirs)> RunAsync(Func<TestTrees, string[]> args,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        ReferenceDkms.Require();
        var ours = environment is null ? await Ours.RunAsync(args(Ours)) : await Ours.RunWithEnvAsync(environment, args(Ours));
        var theirs = await ReferenceDkms.RunAsync(Theirs, environment, args(Theirs));
        return (Normalise(ours, Ours, reference: false), Normalise(theirs, Theirs, reference: true));
    }

    public Task<(CliResult Ours, CliResult Theirs)> RunAsync(params string[] args) => RunAsync(_ => args);

    /// <summary>Runs a step with both tools and asserts dkmsctl printed what dkms printed and exited as it did.</summary>
    /// <returns>dkmsctl's result, with the paths written as in the class summary.</returns>
    public async Task<CliResult> SameAsync(Func<TestTrees, string[]> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (ours, theirs) = await RunAsync(args, environment);
        AssertSame(theirs, ours);
        return ours;
    }

    public Task<CliResult> SameAsync(params string[] args) => SameAsync(_ => args);

    /// <summary>Equal exit codes, stdout and stderr; the message shows both in full when they differ.</summary>
    public static void AssertSame(CliResult theirs, CliResult ours)
    {
        if (theirs != ours)
        {
            Assert.Fail($"dkmsctl differs from dkms 3.0.10.\n=== dkms 3.0.10: {theirs}\n=== dkmsctl: {ours}");
        }
    }

    /// <summary>A file of each tree (relative to its root), with the paths written as in the class summary.</summary>
    public (string Ours, string Theirs) Files(string relative) =>
        (Normalise(File.ReadAllText(Path.Combine(Ours.Root, relative)), Ours, reference: false),
         Normalise(File.ReadAllText(Path.Combine(Theirs.Root, relative)), Theirs, reference: true));

    private static CliResult Normalise(CliResult r, TestTrees t, bool reference) =>
        new(r.ExitCode, Normalise(r.Stdout, t, reference), Normalise(WithoutProcfsProbe(r.Stderr), t, reference));

    private static string Normalise(string text, TestTrees t, bool reference)
    {
        var s = text.Replace(t.Root, "<trees>", StringComparison.Ordinal);
        if (reference)
        {
            s = s.Replace("/lib/modules/", "<trees>/modules/", StringComparison.Ordinal)
                .Replace("/var/lib/dkms/mok.", "<trees>/dkms/mok.", StringComparison.Ordinal);
        }

        return Dots().Replace(s, "...");
    }

    /// <summary>dkms 3.0.10 probes /proc with <c>[ -e &lt;(echo) ]</c>, whose echo may hit a closed pipe.</summary>
    /// <remarks>
    /// The probe's complaint is written by a subshell at any moment, also in the middle of a line dkms is writing
    /// ("Error! " then the message): only the complaint itself is cut out, never the line it landed in.
    /// </remarks>
    private static string WithoutProcfsProbe(string stderr) => ProcfsProbe().Replace(stderr, string.Empty);

    [GeneratedRegex(@"[^\s:]*dkms: line \d+: echo: write error: Broken pipe\n")]
    private static partial Regex ProcfsProbe();

    [GeneratedRegex(@"\.\.\.\.+")]
    private static partial Regex Dots();

    public void Dispose()
    {
        Ours.Dispose();
        Theirs.Dispose();
    }
}
