using Dkms.Package.Tests.Infrastructure;

namespace Dkms.Package.Tests.Flows;

public sealed class FlowComparisonTests
{
    [Fact]
    public void Differences_SameExitStatusAndModules_None()
    {
        // Arrange
        var dkms = Run("dkms", Step("install", 0, ["m/1, k, x86_64: installed"], ["k/updates/dkms/m.ko"]));
        var dkmsd = Run("dkmsd", Step("install", 0, ["m/1, k, x86_64: installed"], ["k/updates/dkms/m.ko"]));

        // Act
        var differences = FlowComparison.Differences(dkms, dkmsd);

        // Assert
        Assert.Empty(differences);
    }

    [Fact]
    public void Differences_OtherExitStatusAndModules_OnePerKind()
    {
        // Arrange
        var dkms = Run("dkms", Step("install", 0, ["m/1, k, x86_64: installed"], ["k/updates/dkms/m.ko"]));
        var dkmsd = Run("dkmsd", Step("install", 1, ["m/1, k, x86_64: built"], []));

        // Act
        var differences = FlowComparison.Differences(dkms, dkmsd);

        // Assert
        Assert.Equal(3, differences.Count);
    }

    [Fact]
    public void Differences_ExitCodeOnlyStep_StatusIgnored()
    {
        // Arrange
        var dkms = Run("dkms", Step("killed", 100, ["m/1, k, x86_64: built"], [], Comparison.ExitCode));
        var dkmsd = Run("dkmsd", Step("killed", 100, [], [], Comparison.ExitCode));

        // Act
        var differences = FlowComparison.Differences(dkms, dkmsd);

        // Assert
        Assert.Empty(differences);
    }

    [Fact]
    public void Differences_StepMissingUnderDkmsd_Reported()
    {
        // Arrange
        var dkms = Run("dkms", Step("install", 0, [], []), Step("purge", 0, [], []));
        var dkmsd = Run("dkmsd", Step("install", 0, [], []));

        // Act
        var differences = FlowComparison.Differences(dkms, dkmsd);

        // Assert
        Assert.Equal(["purge: dkmsd never got there"], differences);
    }

    private static FlowRun Run(string provider, params StepOutcome[] steps) =>
        new("flow", provider, "k", steps, new Dictionary<string, string>(), string.Empty, string.Empty);

    private static StepOutcome Step(string name, int exit, string[] status, string[] modules, Comparison comparison = Comparison.Full) =>
        new("flow", name, "p", "true", new ProcessResult(exit, string.Empty, string.Empty, TimeSpan.Zero), status, modules,
            new Dictionary<string, string>(), comparison);
}
