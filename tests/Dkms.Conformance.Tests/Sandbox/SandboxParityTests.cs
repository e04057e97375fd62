using Dkms.Conformance.Tests.Corpus;
using Dkms.Conformance.Tests.Host;
using Dkms.Conformance.Tests.Processes;
using Dkms.Conformance.Tests.Reporting;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Sandbox;

/// <summary>
/// Integration: each Debian 12 <c>*-dkms</c> package (<see cref="ParityCorpus"/>), fetched by name, built and installed
/// by dkmsctl twice on separate temporary trees, once with <c>build_sandbox="bwrap"</c> and once with <c>"none"</c>,
/// against the machine's real headers: the outcome, the status line, the .ko set and make.log must not change.
/// </summary>
/// <remarks>
/// The whole list is Slow (<c>scripts/test --slow</c>); <see cref="ParityCorpus.Representative"/> runs in CI.
/// Set <see cref="ParityReport.ReportVariable"/> to a file to get the per-package table.
/// </remarks>
public sealed class SandboxParityTests(ConformanceFixture fixture, ITestOutputHelper output) : IClassFixture<ConformanceFixture>
{
    private static readonly TimeSpan VersionTimeout = TimeSpan.FromMinutes(1);

    public static TheoryData<string> All => [.. ParityCorpus.All];

    public static TheoryData<string> Representative => [.. ParityCorpus.Representative];

    [Theory]
    [MemberData(nameof(Representative))]
    public Task Install_RepresentativePackage_SameSandboxedAsUnsandboxed(string package) => CompareAsync(package);

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(All))]
    public Task Install_EveryDebianDkmsPackage_SameSandboxedAsUnsandboxed(string package) => CompareAsync(package);

    private async Task CompareAsync(string package)
    {
        // Arrange
        var kernel = fixture.Kernel;
        var shielded = fixture.ShieldProblem is null;
        var deb = await fixture.Corpus.FetchAsync(package);
        var work = Directory.CreateTempSubdirectory($"dkmsd-parity-{package}-").FullName;
        File.SetUnixFileMode(work, (UnixFileMode)Convert.ToInt32("755", 8)); // as /var/lib/dkms: the build user reaches its build dir
        try
        {
            var source = await DebianCorpus.UnpackAsync(deb, Path.Combine(work, "deb"));
            var sandboxedTrees = Trees(Path.Combine(work, "bwrap"), kernel, "bwrap");
            var unsandboxedTrees = Trees(Path.Combine(work, "none"), kernel, "none");
            Assert.StartsWith("bwrap as ", await SandboxInEffectAsync(sandboxedTrees, shielded));
            Assert.StartsWith("none ", await SandboxInEffectAsync(unsandboxedTrees, shielded));

            // Act
            var sandboxed = await PackageRunner.RunAsync(fixture.Ours, source, kernel, sandboxedTrees, shielded);
            var unsandboxed = await PackageRunner.RunAsync(fixture.Ours, source, kernel, unsandboxedTrees, shielded);

            // Assert
            var failures = SandboxParityCheck.Compare(sandboxed, unsandboxed,
                SandboxParityCheck.MakeLog.Find(sandboxedTrees), SandboxParityCheck.MakeLog.Find(unsandboxedTrees));
            var row = new ParityRow(package, sandboxed, unsandboxed, failures);
            output.WriteLine(fixture.Mode);
            output.WriteLine(row.ToTableRow());
            ParityReport.Add(row, fixture.Mode);
            if (failures.Count > 0)
            {
                output.WriteLine($"bwrap:\n{sandboxed.Diagnostics}\nnone:\n{unsandboxed.Diagnostics}");
                Assert.Fail($"{package}: the sandbox changes the result:\n  " + string.Join("\n  ", failures));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static TempTrees Trees(string root, TestKernel kernel, string sandbox)
    {
        var trees = TempTrees.Create(root, kernel);
        File.WriteAllText(trees.FrameworkConf, $"build_sandbox=\"{sandbox}\"\n");
        return trees;
    }

    /// <summary>The "build sandbox:" line of <c>dkmsctl --version</c> for these trees: the setting really took effect.</summary>
    private async Task<string> SandboxInEffectAsync(TempTrees trees, bool shielded)
    {
        var args = fixture.Ours.Arguments(trees, "--version");
        var (file, argv) = shielded ? MountShield.Wrap(trees.ShieldStateDir, trees.ShieldModulesDir, fixture.Ours.FileName, args) : (fixture.Ours.FileName, args);
        var version = await BoundedProcess.RunCheckedAsync(file, argv, VersionTimeout, trees.Root);
        const string Prefix = "build sandbox: ";
        var line = version.Stdout.Split('\n').SingleOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        Assert.True(line is not null, "dkmsctl --version names no build sandbox:\n" + version.Stdout);
        Assert.DoesNotContain("cannot run here", line, StringComparison.Ordinal);
        return line[Prefix.Length..];
    }
}
