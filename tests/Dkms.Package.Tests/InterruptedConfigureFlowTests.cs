using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>(e) dpkg killed with SIGKILL while the module builds; <c>dpkg --configure -a</c> then completes the install.</summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class InterruptedConfigureFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Fact]
    public Task DpkgConfigureAll_AfterDpkgKilledUnderDkmsd_ModuleInstalled() => ExpectAsync(Provider.Dkmsd);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public Task DpkgConfigureAll_AfterDpkgKilled_ModuleInstalled(Provider provider) => ExpectAsync(provider);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task DpkgConfigureAll_AfterDpkgKilled_DkmsdSameAsDkms()
    {
        // Act
        var dkms = await runs.GetAsync(InterruptedConfigureFlow.Instance, Provider.Dkms, output);
        var dkmsd = await runs.GetAsync(InterruptedConfigureFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.SameOutcome(dkms, dkmsd, output);
    }

    private async Task ExpectAsync(Provider provider)
    {
        // Act
        var run = await runs.GetAsync(InterruptedConfigureFlow.Instance, provider, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var interrupted = run.Step(InterruptedConfigureFlow.Install);
            Assert.Contains("killed dpkg", interrupted.Probe(InterruptedConfigureFlow.Killer), StringComparison.Ordinal);
            Assert.Contains("gone after", interrupted.Probe(InterruptedConfigureFlow.Leftovers), StringComparison.Ordinal);
            Assert.True(interrupted.ExitCode != 0, interrupted.Describe());
            Assert.True(interrupted.Probe(InterruptedConfigureFlow.State) != "ii", interrupted.Describe());

            var configure = run.Step(InterruptedConfigureFlow.Configure);
            StepAssert.Succeeded(configure);
            StepAssert.ProbeIs(configure, InterruptedConfigureFlow.State, "ii");
            StepAssert.StatusMatches(configure, $"v4l2loopback/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");
            StepAssert.HasModules(configure, run.Kernel, "v4l2loopback.ko");
        });
    }
}
