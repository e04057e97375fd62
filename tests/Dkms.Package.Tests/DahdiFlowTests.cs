using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>
/// (b) dahdi-dkms: one dkms module with 35 .ko files. Its build takes 77–87 s on two cores under Debian's dkms (under
/// the 3 minutes that would make it slow by itself), but with a boot and setup it is 2 minutes per provider, which
/// the fast part's 15-minute budget cannot spare: flow (a) already covers a package of many .ko files there.
/// </summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class DahdiFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public async Task AptInstallPurge_Dahdi_AllModulesInstalledThenGone(Provider provider)
    {
        // Act
        var run = await runs.GetAsync(DahdiFlow.Instance, provider, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var install = run.Step(DahdiFlow.Install);
            StepAssert.Succeeded(install);
            StepAssert.StatusMatches(install, $"dahdi/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");
            StepAssert.HasModules(install, run.Kernel, "dahdi.ko");
            Assert.True(install.ModulesFor(run.Kernel).Count >= 30, install.Describe());

            var purge = run.Step(DahdiFlow.Purge);
            StepAssert.Succeeded(purge);
            StepAssert.StatusEmpty(purge);
            StepAssert.NoModules(purge);
            StepAssert.ProbeEmpty(purge, "sources");
        });
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AptInstallPurge_Dahdi_DkmsdSameAsDkms()
    {
        // Act
        var dkms = await runs.GetAsync(DahdiFlow.Instance, Provider.Dkms, output);
        var dkmsd = await runs.GetAsync(DahdiFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.SameOutcome(dkms, dkmsd, output);
    }
}
