using Dkms.Notifier.Notifications;

namespace Dkms.Notifier.Tests;

public sealed class NotificationPlannerTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static DkmsSignal Failed(string module = "nvidia", string error = "nv.c:1: error: x") =>
        new("JobFinished", ["7", "build", module, "1.0", "6.1.0-9-amd64", "x86_64", "failed", 10, error, "/var/lib/dkms/make.log"]);

    [Fact]
    public void Plan_FailedBuild_CriticalWithModuleKernelErrorAndLog()
    {
        var n = new NotificationPlanner(new Clock()).Plan(Failed());

        Assert.NotNull(n);
        Assert.Equal(Notification.Critical, n.Urgency);
        Assert.Contains("nvidia", n.Summary, StringComparison.Ordinal);
        Assert.Contains("6.1.0-9-amd64", n.Summary, StringComparison.Ordinal);
        Assert.Contains("nv.c:1: error: x", n.Body, StringComparison.Ordinal);
        Assert.Contains("/var/lib/dkms/make.log", n.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SucceededJobsAndOtherSignals_Nothing()
    {
        var planner = new NotificationPlanner(new Clock());

        Assert.Null(planner.Plan(new DkmsSignal("JobFinished", ["1", "build", "m", "1", "k", "x86_64", "succeeded", 0, "", ""])));
        Assert.Null(planner.Plan(new DkmsSignal("JobQueued", ["1", "build", "m", "1", "k", "x86_64"])));
    }

    [Fact]
    public void Plan_SameFailureWithinWindow_CoalescedThenRaisedAgainAfterWindow()
    {
        var clock = new Clock();
        var planner = new NotificationPlanner(clock);

        var first = planner.Plan(Failed());
        clock.Now += TimeSpan.FromSeconds(5);
        var repeat = planner.Plan(Failed());
        clock.Now += NotificationPlanner.Window;
        var later = planner.Plan(Failed());

        Assert.NotNull(first);
        Assert.Null(repeat);
        Assert.NotNull(later);
    }

    [Fact]
    public void Plan_SigningKeyNotEnrolled_OncePerSessionEvenAfterTheWindow()
    {
        var clock = new Clock();
        var planner = new NotificationPlanner(clock);
        var signal = new DkmsSignal("SigningKeyNotEnrolled", ["/var/lib/dkms/mok.pub", "Secure Boot is on ...: run 'mokutil --import /var/lib/dkms/mok.pub', ..."]);

        var first = planner.Plan(signal);
        clock.Now += NotificationPlanner.Window * 10;

        Assert.NotNull(first);
        Assert.Equal(Notification.Critical, first.Urgency);
        Assert.Contains("mokutil --import", first.Body, StringComparison.Ordinal);
        Assert.Null(planner.Plan(signal));
        Assert.Null(planner.Plan(new DkmsSignal("SigningKeyNotEnrolled", ["/var/lib/dkms/mok.pub", string.Empty])));
    }

    [Fact]
    public void ReplacesId_SameKernelAgain_ReusesIdUntilServerRestarts()
    {
        var planner = new NotificationPlanner(new Clock());
        var failed = planner.Plan(new DkmsSignal("KernelSettled", ["6.2", "x86_64", false, new[] { "zfs/2.1" }]))!;
        planner.Shown(failed.Key, 42);

        var ready = planner.Plan(new DkmsSignal("KernelSettled", ["6.2", "x86_64", true, Array.Empty<string>()]))!;

        Assert.Contains("zfs/2.1", failed.Body, StringComparison.Ordinal);
        Assert.Contains("safe to reboot", ready.Body, StringComparison.Ordinal);
        Assert.Equal(failed.Key, ready.Key);
        Assert.Equal(42u, planner.ReplacesId(ready.Key));
        planner.ServerRestarted();
        Assert.Equal(0u, planner.ReplacesId(ready.Key));
    }
}
