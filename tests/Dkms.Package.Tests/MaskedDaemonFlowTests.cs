using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>(d) With dkmsd.service and dkmsd.socket stopped and masked, apt still installs and purges a dkms package.</summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class MaskedDaemonFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Fact]
    public Task AptInstallPurge_DaemonMasked_PackageStillBuiltAndRemoved() => ExpectAsync(Provider.Dkmsd);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public Task AptInstallPurge_EachProviderDaemonMasked_PackageStillBuiltAndRemoved(Provider provider) => ExpectAsync(provider);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AptInstallPurge_DaemonMasked_DkmsdSameAsDkms()
    {
        // Act
        var dkms = await runs.GetAsync(MaskedDaemonFlow.Instance, Provider.Dkms, output);
        var dkmsd = await runs.GetAsync(MaskedDaemonFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.SameOutcome(dkms, dkmsd, output);
    }

    private async Task ExpectAsync(Provider provider)
    {
        // Act
        var run = await runs.GetAsync(MaskedDaemonFlow.Instance, provider, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            const string stoppedAndMasked = "inactive\ninactive\nmasked\nmasked";
            if (provider == Provider.Dkmsd)
            {
                var mask = run.Step(MaskedDaemonFlow.StopAndMask);
                StepAssert.Succeeded(mask);
                StepAssert.ProbeIs(mask, "units", stoppedAndMasked);
            }

            var install = run.Step(MaskedDaemonFlow.Install);
            StepAssert.Succeeded(install);
            StepAssert.StatusMatches(install, $"acpi-call/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");
            StepAssert.HasModules(install, run.Kernel, "acpi_call.ko");

            var purge = run.Step(MaskedDaemonFlow.Purge);
            StepAssert.Succeeded(purge);
            StepAssert.StatusEmpty(purge);
            StepAssert.NoModules(purge);
            if (provider == Provider.Dkmsd)
            {
                // Nothing in the package's scripts unmasked or restarted the daemon.
                StepAssert.ProbeIs(install, "units", stoppedAndMasked);
                StepAssert.ProbeIs(purge, "units", stoppedAndMasked);
            }
        });
    }
}
