using Dkms.Package.Tests.Infrastructure;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// (e) dpkg dies mid-configure: while v4l2loopback-dkms's postinst builds (a make process runs in the container),
/// dpkg is killed with SIGKILL; apt fails, the package is left half-configured, and <c>dpkg --configure -a</c> must
/// finish the job.
/// </summary>
internal sealed class InterruptedConfigureFlow : IFlow
{
    public const string Install = "install v4l2loopback-dkms, dpkg killed during make";
    public const string Configure = "dpkg --configure -a";

    /// <summary>The probe with what the killer saw and did.</summary>
    public const string Killer = "killer";

    /// <summary>The probe with the package's dpkg state (ii, iF, ...).</summary>
    public const string State = "dpkg state";

    private const string KillerLog = "/root/dpkg-killer.log";

    // Waits (up to 300 s) for make, shows the processes, then kills dpkg.
    private const string KillDpkgDuringMake =
        "{ i=0; until pgrep -x make >/dev/null; do sleep 0.05; i=$((i+1)); "
        + "if [ $i -ge 6000 ]; then echo 'no make within 300 s'; exit 1; fi; done; "
        + "ps -eo pid,ppid,comm | grep -E 'dpkg|postinst|dkms|make'; kill -9 $(pidof dpkg) && echo 'killed dpkg'; } > "
        + KillerLog + " 2>&1; rc=$?; cat " + KillerLog + "; exit $rc";

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static InterruptedConfigureFlow Instance { get; } = new();

    public string Name => "interrupted-configure";

    public TimeSpan Timeout => TimeSpan.FromMinutes(30);

    public async Task RunAsync(FlowSession session)
    {
        Probe state = new(State, "dpkg-query -W -f='${db:Status-Abbrev}' v4l2loopback-dkms");
        await ProviderInstaller.InstallAsync(session, session.Provider).ConfigureAwait(false);

        const string command = "apt-get install -y v4l2loopback-dkms";
        session.Progress($"{Name}: {command}, killing dpkg once make runs");
        var apt = session.Container.ExecAsync(command, StepTimeout);
        var killer = await session.Container.ExecAsync(KillDpkgDuringMake, StepTimeout).ConfigureAwait(false);
        var interrupted = await apt.WithTimeout(StepTimeout).ConfigureAwait(false);
        await session.RecordAsync(Install, command, interrupted, Comparison.ExitCode,
            state, new Probe(Killer, $"cat {KillerLog}")).ConfigureAwait(false);
        session.Progress($"killer exited {killer.ExitCode}");

        await session.StepAsync(Configure, "dpkg --configure -a", StepTimeout, Comparison.Full, state).ConfigureAwait(false);
    }
}
