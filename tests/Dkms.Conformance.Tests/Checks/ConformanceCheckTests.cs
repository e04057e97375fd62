using Dkms.Conformance.Tests.Corpus;
using Dkms.Conformance.Tests.Host;
using Dkms.Conformance.Tests.Runs;

namespace Dkms.Conformance.Tests.Checks;

/// <summary>Unit: the comparison logic on hand-made results (no build, no machine state).</summary>
public sealed class ConformanceCheckTests
{
    private static readonly TestKernel Kernel = new("6.1.0-56-amd64", "/usr/src/linux-headers-6.1.0-56-amd64");

    [Fact]
    public void AgainstReference_IdenticalRuns_ReportsNothing()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("ddcci-dkms");

        // Act
        var failures = ConformanceCheck.AgainstReference(expected, Built("dkmsctl", expected), Built("dkms", expected));

        // Assert
        Assert.Empty(failures);
    }

    [Fact]
    public void AgainstReference_StatusLineDiffers_ReportsStatus()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("vpoll-dkms");
        var ours = Built("dkmsctl", expected) with { StatusLines = ["vpoll/0.1, 6.1.0-56-amd64, x86_64: built"] };

        // Act
        var failures = ConformanceCheck.AgainstReference(expected, ours, Built("dkms", expected));

        // Assert
        Assert.Contains(failures, f => f.StartsWith("status lines:", StringComparison.Ordinal));
    }

    [Fact]
    public void AgainstReference_BothFailWithDifferentCodes_ReportsExitCode()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("lttng-modules-dkms");

        // Act
        var failures = ConformanceCheck.AgainstReference(expected, Failed("dkmsctl", expected, 1), Failed("dkms", expected, 10));

        // Assert
        Assert.Equal(["exit code: dkms 10, dkmsctl 1"], failures);
    }

    [Fact]
    public void AgainstReference_OursWroteUnderShield_ReportsWrite()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("bbswitch-dkms");
        var ours = Built("dkmsctl", expected) with { ShieldWrites = ["/var/lib/dkms/bbswitch/0.8/source"] };

        // Act
        var failures = ConformanceCheck.AgainstReference(expected, ours, Built("dkms", expected));

        // Assert
        Assert.Equal(["dkmsctl wrote outside its trees: /var/lib/dkms/bbswitch/0.8/source"], failures);
    }

    [Fact]
    public void AgainstReference_BothBuildTooFewModules_ReportsCorpusList()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("nat-rtsp-dkms");
        var partial = (string label) => Built(label, expected) with { BuiltModules = ["nf_nat_rtsp"] };

        // Act
        var failures = ConformanceCheck.AgainstReference(expected, partial("dkmsctl"), partial("dkms"));

        // Assert
        Assert.Equal(2, failures.Count(f => f.StartsWith(".ko files built: CORPUS.md", StringComparison.Ordinal)));
    }

    [Fact]
    public void AgainstTable_DriftPackageFailsToCompile_ReportsNothing()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("librem-ec-acpi-dkms");

        // Act
        var failures = ConformanceCheck.AgainstTable(expected, Failed("dkmsctl", expected, 10), Kernel, "x86_64");

        // Assert
        Assert.Empty(failures);
    }

    [Fact]
    public void AgainstTable_BuildingPackageFails_ReportsExitCode()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("jool-dkms");

        // Act
        var failures = ConformanceCheck.AgainstTable(expected, Failed("dkmsctl", expected, 10), Kernel, "x86_64");

        // Assert
        Assert.Contains("exit code: expected 0 (builds), dkmsctl exited 10", failures);
    }

    [Fact]
    public void AgainstTable_BuiltAsTableSays_ReportsNothing()
    {
        // Arrange
        var expected = ExpectedCorpus.Get("jool-dkms");

        // Act
        var failures = ConformanceCheck.AgainstTable(expected, Built("dkmsctl", expected), Kernel, "x86_64");

        // Assert
        Assert.Empty(failures);
    }

    private static RunResult Built(string label, CorpusPackage p) => new(
        label, 0, p.Module, p.Version,
        [$"{p.Module}/{p.Version}, {Kernel.Version}, x86_64: installed"],
        ["build", .. p.KernelModules.Order(StringComparer.Ordinal).Select(m => $"updates/dkms/{m}.ko")],
        [.. p.KernelModules.Order(StringComparer.Ordinal).Select(m => $"updates/dkms/{m}.ko")],
        [.. p.KernelModules.Order(StringComparer.Ordinal)],
        [], TimeSpan.FromSeconds(1), string.Empty);

    private static RunResult Failed(string label, CorpusPackage p, int exitCode) => new(
        label, exitCode, p.Module, p.Version, [$"{p.Module}/{p.Version}: added"], [], [], [], [], TimeSpan.FromSeconds(1), string.Empty);
}
