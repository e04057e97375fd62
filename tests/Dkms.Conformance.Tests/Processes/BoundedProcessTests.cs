namespace Dkms.Conformance.Tests.Processes;

/// <summary>Unit: a hanging build must not hang the conformance run.</summary>
public sealed class BoundedProcessTests
{
    [Fact]
    public async Task RunAsync_ProcessTreeOutlivesTimeout_KillsTreeAndReturns()
    {
        // Arrange: a background grandchild keeps stdout open, as a make job would.
        var started = DateTime.UtcNow;

        // Act
        var outcome = await BoundedProcess.RunAsync("bash", ["-c", "sleep 300 & echo started; sleep 300"], TimeSpan.FromSeconds(1));

        // Assert
        Assert.True(outcome.TimedOut);
        Assert.Equal(ProcessOutcome.KilledExitCode, outcome.ExitCode);
        Assert.Contains("started", outcome.Stdout, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "the kill should end the run quickly");
    }

    [Fact]
    public async Task RunAsync_QuickProcess_CapturesStreamsAndExitCode()
    {
        // Act
        var outcome = await BoundedProcess.RunAsync("bash", ["-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal((3, "out\n", "err\n", false), (outcome.ExitCode, outcome.Stdout, outcome.Stderr, outcome.TimedOut));
    }
}
