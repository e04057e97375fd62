using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>
/// (f) dkms → dkmsd → dkms on a system with acpi-call built: each package reads the tree the other wrote, and our
/// package installs, reinstalls, removes and purges cleanly.
/// </summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class SwitchingFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Fact]
    public async Task AptSwitchProviders_ModuleBuiltByDkms_TreeKeptAndReadByBoth()
    {
        // Act
        var run = await runs.GetAsync(SwitchingFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var built = run.Step(SwitchingFlow.InstallModule);
            StepAssert.Succeeded(run.Step(SwitchingFlow.InstallDkms));
            StepAssert.Succeeded(built);
            StepAssert.StatusMatches(built, $"acpi-call/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");

            var toDkmsd = run.Step(SwitchingFlow.SwitchToDkmsd);
            StepAssert.Succeeded(toDkmsd);
            StepAssert.SameStatus(built, toDkmsd);
            Assert.Equal(built.Modules, toDkmsd.Modules);
            Assert.Contains("dkmsd ii", toDkmsd.Probe("packages"), StringComparison.Ordinal);
            Assert.DoesNotContain("dkms ii", toDkmsd.Probe("packages"), StringComparison.Ordinal);
            StepAssert.ProbeIs(toDkmsd, "dkms tree", built.Probe("dkms tree"));
            var docs = toDkmsd.Probe(SwitchingFlow.DocsProbe);
            foreach (var file in new[]
                     {
                         "/usr/share/man/man8/dkms.8.gz", "/usr/share/man/man8/dkmsctl.8.gz", "/usr/share/man/man8/dkmsd.8.gz",
                         "/usr/share/man/man1/dkms-notify.1.gz", "/usr/share/bash-completion/completions/dkms",
                         "/usr/share/bash-completion/completions/dkmsctl", "/usr/share/zsh/vendor-completions/_dkmsctl",
                     })
            {
                Assert.Contains(file + "\n", docs, StringComparison.Ordinal);
            }

            Assert.Contains("complete -F _dkmsctl dkms\n", docs, StringComparison.Ordinal); // bash loads it for both names
            Assert.Contains("complete -F _dkmsctl dkmsctl", docs, StringComparison.Ordinal);

            var back = run.Step(SwitchingFlow.SwitchBack);
            StepAssert.Succeeded(back);
            StepAssert.SameStatus(built, back);
            Assert.Equal(built.Modules, back.Modules);
            Assert.Contains("dkms ii", back.Probe("packages"), StringComparison.Ordinal);
            Assert.DoesNotContain("dkmsd ii", back.Probe("packages"), StringComparison.Ordinal);

            foreach (var name in new[] { SwitchingFlow.InstallAgain, SwitchingFlow.Reinstall })
            {
                var step = run.Step(name);
                StepAssert.Succeeded(step);
                StepAssert.SameStatus(built, step);
            }

            StepAssert.Succeeded(run.Step(SwitchingFlow.Remove));
            StepAssert.Succeeded(run.Step(SwitchingFlow.Purge));
            Assert.DoesNotContain("dkmsd", run.Step(SwitchingFlow.Purge).Probe("packages"), StringComparison.Ordinal);
        });
    }
}
