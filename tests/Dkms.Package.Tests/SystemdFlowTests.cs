using System.Globalization;
using System.Text.RegularExpressions;
using Dkms.Package.Tests.Flows;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests;

/// <summary>dkmsd under real systemd in the container (see <see cref="SystemdFlow"/>).</summary>
[Collection(PackageFlows.Name)]
[Trait("Category", PackageFlows.Category)]
public sealed class SystemdFlowTests(FlowRuns runs, ITestOutputHelper output)
{
    [Fact]
    public async Task Dkmsd_UnderSystemd_ReadyHardenedRestartsWithoutFailingApt()
    {
        // Act
        var run = await runs.GetAsync(SystemdFlow.Instance, Provider.Dkmsd, output);

        // Assert
        FlowAssert.WithJournal(run, output, () =>
        {
            var units = run.Step(SystemdFlow.Units);
            StepAssert.Succeeded(units);
            Assert.Contains("Type=notify", units.Result.Stdout, StringComparison.Ordinal);
            Assert.Contains("WatchdogUSec=30s", units.Result.Stdout, StringComparison.Ordinal);

            var security = run.Step(SystemdFlow.Security);
            output.WriteLine($"systemd-analyze security: {security.Result.Stdout.Trim()}");
            Assert.Matches(@"Overall exposure level for dkmsd\.service: \d+\.\d", security.Result.Stdout);

            var bus = run.Step(SystemdFlow.Bus);
            StepAssert.Succeeded(bus);
            Assert.Contains("Access denied", bus.Result.Output, StringComparison.Ordinal); // the policy grants users no Set

            var user = run.Step(SystemdFlow.UserAction);
            Assert.NotEqual(0, user.ExitCode);

            // apt is not failed by a restart in the middle of the package's build; the module ends installed.
            var restart = run.Step(SystemdFlow.RestartDuringInstall);
            StepAssert.Succeeded(restart);
            Assert.Contains("restarting during make", restart.Result.Stdout, StringComparison.Ordinal);
            StepAssert.StatusMatches(restart, $"{SystemdFlow.Module}/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");

            // kill -9: Restart= brings the daemon back, the client finishes its install on it, nothing is half-done.
            var kill = run.Step(SystemdFlow.KillDuringBuild);
            StepAssert.Succeeded(kill);
            Assert.Contains("killing during make", kill.Result.Stdout, StringComparison.Ordinal);
            Assert.True(int.Parse(kill.Probe("restarts"), CultureInfo.InvariantCulture) >= 1, kill.Describe());
            StepAssert.StatusMatches(kill, $"{SystemdFlow.Module}/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");
            StepAssert.HasModules(kill, run.Kernel, "acpi_call.ko");

            var activation = run.Step(SystemdFlow.SocketActivation);
            Assert.Equal("inactive\nactive", activation.Result.Stdout.Trim());

            StepAssert.Succeeded(run.Step(SystemdFlow.ClientTmp));

            var stop = run.Step(SystemdFlow.StopWithWatch);
            StepAssert.Succeeded(stop);
            var ms = int.Parse(Regex.Match(stop.Result.Stdout, @"stopped in (\d+) ms").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(ms < 10_000, $"stopping with a watch client took {ms} ms");

            var signs = run.Step(SystemdFlow.SignsInItsNamespace);
            StepAssert.Succeeded(signs);
            Assert.StartsWith("2\n", signs.Result.Stdout, StringComparison.Ordinal); // dkmsd's mount namespace is not init's
            Assert.Contains("Sign command: ", signs.Result.Stdout, StringComparison.Ordinal);
            Assert.DoesNotContain("Running in chroot", signs.Result.Output, StringComparison.Ordinal);

            var upgrade = run.Step(SystemdFlow.Upgrade);
            StepAssert.Succeeded(upgrade);
            Assert.EndsWith("+next1", upgrade.Result.Stdout.Trim(), StringComparison.Ordinal);
            StepAssert.StatusMatches(upgrade, $"{SystemdFlow.Module}/[^,]+, {Regex.Escape(run.Kernel)}, x86_64: installed");

            // One journal line per job (when it ends), no console banner.
            var counts = run.Step(SystemdFlow.Journal).Result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal("0", counts[0]);
            Assert.NotEqual("0", counts[1]);
            Assert.Equal("0", counts[2]);
        });
    }
}
