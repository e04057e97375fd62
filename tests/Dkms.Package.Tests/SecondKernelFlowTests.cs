using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>
/// (c) A second kernel with vpoll-dkms installed: the module is built and installed for it before apt returns and
/// before initramfs-tools' hook runs, whether headers and image come in one apt run or headers first; purging the
/// kernel removes its modules.
/// </summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class SecondKernelFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Fact]
    public Task AptInstallPurgeKernel_UnderDkmsd_ModulesBuiltBeforeInitramfsAndRemovedWithKernel() => ExpectAsync(Provider.Dkmsd);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData(Provider.Dkms)]
    [InlineData(Provider.Dkmsd)]
    public Task AptInstallPurgeKernel_EachProvider_ModulesBuiltBeforeInitramfsAndRemovedWithKernel(Provider provider) =>
        ExpectAsync(provider);

    [Fact]
    [Trait("Category", "Slow")]
    public async Task AptInstallPurgeKernel_VpollDkms_DkmsdSameAsDkms()
    {
        // Act
        var dkms = await runs.GetAsync(SecondKernelFlow.Instance, Provider.Dkms, output);
        var dkmsd = await runs.GetAsync(SecondKernelFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.SameOutcome(dkms, dkmsd, output);
    }

    private async Task ExpectAsync(Provider provider)
    {
        // Act
        var run = await runs.GetAsync(SecondKernelFlow.Instance, provider, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var first = run.Kernel;
            var second = run.Value(SecondKernelFlow.SecondKernel);
            var onFirst = $"vpoll/[^,]+, {Regex.Escape(first)}, x86_64: installed";
            var onBoth = new[] { onFirst, $"vpoll/[^,]+, {Regex.Escape(second)}, x86_64: installed" };

            var module = run.Step(SecondKernelFlow.InstallModule);
            StepAssert.Succeeded(module);
            StepAssert.StatusMatches(module, onFirst);

            foreach (var name in new[] { SecondKernelFlow.InstallBoth, SecondKernelFlow.InstallImage })
            {
                var kernel = run.Step(name);
                StepAssert.Succeeded(kernel);
                StepAssert.StatusMatches(kernel, onBoth);
                StepAssert.HasModules(kernel, second, "vpoll.ko");
                StepAssert.ProbeIs(kernel, SecondKernelFlow.AtInitramfs, "vpoll.ko");
                Assert.False(string.IsNullOrEmpty(kernel.Probe("initrd")), kernel.Describe());
                FlowAssert.Before(kernel,
                    $"a dkms line about {second}", l => l.Contains(second, StringComparison.Ordinal) && l.Contains("dkms", StringComparison.OrdinalIgnoreCase),
                    "initramfs generation", l => l.Contains($"update-initramfs: Generating /boot/initrd.img-{second}", StringComparison.Ordinal));
            }

            var headers = run.Step(SecondKernelFlow.InstallHeaders);
            StepAssert.Succeeded(headers);
            StepAssert.StatusMatches(headers, onBoth);

            foreach (var name in new[] { SecondKernelFlow.PurgeBoth, SecondKernelFlow.PurgeAgain })
            {
                var purge = run.Step(name);
                StepAssert.Succeeded(purge);
                StepAssert.StatusMatches(purge, onFirst);
                StepAssert.NoStatusFor(purge, second);
                Assert.Empty(purge.ModulesFor(second));
                StepAssert.ProbeEmpty(purge, "/lib/modules/" + second);
            }
        });
    }
}
