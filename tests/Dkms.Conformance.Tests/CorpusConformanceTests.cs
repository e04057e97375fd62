using Dkms.Conformance.Tests.Checks;
using Dkms.Conformance.Tests.Corpus;
using Dkms.Conformance.Tests.Reporting;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests;

/// <summary>
/// Integration: every package of the Debian corpus (CORPUS.md), fetched by name, installed by dkmsctl and by
/// the reference dkms 3.0.10 on separate temporary trees against the machine's real headers, then compared.
/// </summary>
/// <remarks>
/// Never touches the machine's /var/lib/dkms, /usr/src, /lib/modules, /etc/dkms or /run: all trees are
/// temporary, and both tools run in a private mount namespace when it is available (the reference only then).
/// Set DKMSD_CONFORMANCE_KEEP=1 to keep the trees of each case for inspection, DKMSD_CONFORMANCE_NO_REFERENCE=1
/// to check against <see cref="ExpectedCorpus"/> as a machine without dkms does.
/// </remarks>
public sealed class CorpusConformanceTests(ConformanceFixture fixture, ITestOutputHelper output) : IClassFixture<ConformanceFixture>
{
    private const string KeepVariable = "DKMSD_CONFORMANCE_KEEP";

    public static TheoryData<string> Packages => [.. ExpectedCorpus.Packages.Select(p => p.Package)];

    [Theory]
    [MemberData(nameof(Packages))]
    public async Task Install_CorpusPackage_MatchesReferenceDkms(string package)
    {
        // Arrange
        var expected = ExpectedCorpus.Get(package);
        var kernel = fixture.Kernel;
        output.WriteLine(fixture.Mode);
        var deb = await fixture.Corpus.FetchAsync(package);
        var work = Directory.CreateTempSubdirectory($"dkmsd-conformance-{package}-").FullName;
        File.SetUnixFileMode(work, (UnixFileMode)Convert.ToInt32("755", 8)); // as /var/lib/dkms: the build user reaches its build dir
        try
        {
            var source = await DebianCorpus.UnpackAsync(deb, Path.Combine(work, "deb"));

            // Act
            var oursTrees = TempTrees.Create(Path.Combine(work, "dkmsctl"), kernel);
            var ours = await PackageRunner.RunAsync(fixture.Ours, source, kernel, oursTrees, shielded: fixture.ShieldProblem is null);
            RunResult? reference = null;
            if (fixture.Reference is { } tool)
            {
                var referenceTrees = TempTrees.Create(Path.Combine(work, "dkms"), kernel);
                reference = await PackageRunner.RunAsync(tool, source, kernel, referenceTrees, shielded: true);
            }

            // Assert
            var failures = reference is null
                ? ConformanceCheck.AgainstTable(expected, ours, kernel, fixture.Arch)
                : ConformanceCheck.AgainstReference(expected, ours, reference);
            var row = new SummaryRow(package, ours.ExitCode, reference?.ExitCode, failures.Count == 0, ours.Elapsed, reference?.Elapsed);
            output.WriteLine(row.ToLine());
            fixture.Add(row);
            if (expected.Note is { } note)
            {
                output.WriteLine("note: " + note);
            }

            if (failures.Count > 0)
            {
                foreach (var run in new[] { ours, reference }.OfType<RunResult>())
                {
                    output.WriteLine($"{run.Label}: installed files [{string.Join(' ', run.InstalledFiles)}]");
                    output.WriteLine(run.Diagnostics);
                }

                Assert.Fail($"{package}: dkmsctl does not behave like {(reference is null ? "the expected corpus table" : "dkms")}:\n  "
                    + string.Join("\n  ", failures));
            }
        }
        finally
        {
            if (Environment.GetEnvironmentVariable(KeepVariable) is { Length: > 0 })
            {
                output.WriteLine($"kept: {work}");
            }
            else
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }
}
