using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>
/// (a) west-chamber-dkms pulls xtables-addons-dkms and builds against its source. In the container <c>uname -r</c> is
/// the host's kernel, which has no /lib/modules entry there, so dkms's common.postinst says "It is likely that ...
/// belongs to a chroot's host" and builds for every kernel in /lib/modules with headers: the root's kernel only.
/// </summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class WestChamberFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Theory]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public async Task AptInstallReinstallPurge_WestChamberDkms_ModulesFollowThePackages(Provider provider)
    {
        // Act
        var run = await runs.GetAsync(WestChamberFlow.Instance, provider, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var k = Regex.Escape(run.Kernel);
            var install = run.Step(WestChamberFlow.Install);
            var provided = run.Step(ProviderInstaller.Step);
            StepAssert.Succeeded(provided);
            if (provider == Provider.Dkmsd)
            {
                StepAssert.ProbeIs(provided, "dkmsd.service", "active"); // Type=notify: started and ready before apt returns
            }

            StepAssert.Succeeded(install);
            StepAssert.StatusMatches(install, $"west-chamber/[^,]+, {k}, x86_64: installed", $"xtables-addons/[^,]+, {k}, x86_64: installed");
            StepAssert.HasModules(install, run.Kernel, "xt_CUI.ko", "xt_ZHANG.ko", "xt_gfw.ko", "compat_xtables.ko", "xt_geoip.ko");
            Assert.All(install.Modules, m => Assert.StartsWith(run.Kernel + "/", m, StringComparison.Ordinal));

            var reinstall = run.Step(WestChamberFlow.Reinstall);
            StepAssert.Succeeded(reinstall);
            StepAssert.SameStatus(install, reinstall);
            Assert.Equal(install.Modules, reinstall.Modules);

            var purge = run.Step(WestChamberFlow.Purge);
            StepAssert.Succeeded(purge);
            StepAssert.StatusEmpty(purge);
            StepAssert.NoModules(purge);
            StepAssert.ProbeEmpty(purge, "sources");
            StepAssert.ProbeEmpty(purge, "dkms tree");
        });
    }

    [Fact]
    public async Task AptInstallReinstallPurge_WestChamberDkms_DkmsdSameAsDkms()
    {
        // Act
        var dkms = await runs.GetAsync(WestChamberFlow.Instance, Provider.Dkms, output);
        var dkmsd = await runs.GetAsync(WestChamberFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.SameOutcome(dkms, dkmsd, output);
    }
}
