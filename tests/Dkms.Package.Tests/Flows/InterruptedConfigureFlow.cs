using Dkms.Package.Tests.Infrastructure;
using Dkms.Package.Tests.Providers;

namespace Dkms.Package.Tests.Flows;

/// <summary>
/// (e) dpkg dies mid-configure: while v4l2loopback-dkms's postinst builds (a make process runs in the container),
/// dpkg is killed with SIGKILL; apt fails and the package is left half-configured. The maintainer script dpkg ran
/// lives on (orphaned, in dpkg's process group) until it next writes to the dead pipe; the flow waits for that
/// process group to be gone, as a person would wait for the build to stop, and then <c>dpkg --configure -a</c> must
/// finish the job. (Run at once, it fails under Debian's dkms too: the orphan still holds debconf's lock.)
/// </summary>
internal sealed class InterruptedConfigureFlow : IFlow
{
    public const string Install = "install v4l2loopback-dkms, dpkg killed during make";
    public const string Configure = "dpkg --configure -a";

    /// <summary>The probe with what the killer saw and did.</summary>
    public const string Killer = "killer";

    /// <summary>The probe with what was left of dpkg's process group and how long it took to go.</summary>
    public const string Leftovers = "leftovers";

    /// <summary>The probe with the package's dpkg state (ii, iF, ...).</summary>
    public const string State = "dpkg state";

    private const string KillerLog = "/root/dpkg-killer.log";
    private const string GroupFile = "/root/dpkg-killer.pgid";
    private const string LeftoversLog = "/root/dpkg-leftovers.log";

    // Waits (up to 300 s) for make, shows the processes, then kills dpkg and notes its process group.
    private const string KillDpkgDuringMake =
        "{ i=0; until pgrep -x make >/dev/null; do sleep 0.05; i=$((i+1)); "
        + "if [ $i -ge 6000 ]; then echo 'no make within 300 s'; exit 1; fi; done; "
        + "pid=$(pidof dpkg) || { echo 'dpkg already gone'; exit 1; }; "
        + "ps -o pgid= -p $pid | tr -d ' ' > " + GroupFile + "; "
        + "ps -eo pid,ppid,pgid,comm | grep -E 'PID|dpkg|postinst|dkms|make'; kill -9 $pid && echo 'killed dpkg'; } > "
        + KillerLog + " 2>&1; rc=$?; cat " + KillerLog + "; exit $rc";

    // Waits (up to 300 s) until no process of dpkg's group is left.
    private const string WaitForLeftovers =
        "pg=$(cat " + GroupFile + "); { echo \"left in process group $pg:\"; ps -o pid,comm -g $pg; i=0; "
        + "while pgrep -g $pg >/dev/null; do sleep 0.2; i=$((i+1)); if [ $i -ge 1500 ]; then echo 'still there after 300 s'; exit 1; fi; done; "
        + "echo \"gone after $((i / 5)) s\"; } > " + LeftoversLog + " 2>&1; rc=$?; cat " + LeftoversLog + "; exit $rc";

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
        var leftovers = killer.ExitCode == 0
            ? await session.Container.ExecAsync(WaitForLeftovers, StepTimeout).ConfigureAwait(false)
            : killer;
        session.Progress($"killer exited {killer.ExitCode}; {leftovers.Stdout.Trim()}");
        await session.RecordAsync(Install, command, interrupted, Comparison.ExitCode,
            state, new Probe(Killer, $"cat {KillerLog}"), new Probe(Leftovers, $"cat {LeftoversLog} 2>/dev/null")).ConfigureAwait(false);

        await session.StepAsync(Configure, "dpkg --configure -a", StepTimeout, Comparison.Full, state).ConfigureAwait(false);
    }
}
