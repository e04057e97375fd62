using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>A long build (openafs-modules-dkms): installed and purged under each provider.</summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
[Trait("Category", "Slow")]
public sealed class OpenAfsFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public async Task AptInstallPurge_OpenAfs_ModuleInstalledThenGone(Provider provider)
    {
        // Act
        var run = await runs.GetAsync(OpenAfsFlow.Instance, provider, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var install = run.Step(OpenAfsFlow.Install);
            StepAssert.Succeeded(install);
            StepAssert.StatusMatches(install, $"openafs/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");
            StepAssert.HasModules(install, run.Kernel, "openafs.ko");

            var purge = run.Step(OpenAfsFlow.Purge);
            StepAssert.Succeeded(purge);
            StepAssert.StatusEmpty(purge);
            StepAssert.NoModules(purge);
            StepAssert.ProbeEmpty(purge, "sources");
        });
    }

    [Fact]
    public async Task AptInstallPurge_OpenAfs_DkmsdSameAsDkms()
    {
        // Act
        var dkms = await runs.GetAsync(OpenAfsFlow.Instance, Provider.Dkms, output);
        var dkmsd = await runs.GetAsync(OpenAfsFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.SameOutcome(dkms, dkmsd, output);
    }
}
