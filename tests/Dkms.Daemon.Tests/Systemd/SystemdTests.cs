using System.Reflection;
using Dkms.Daemon.Logging;
using Dkms.Daemon.Settings;
using Dkms.Daemon.Systemd;
using Dkms.Daemon.Tests.Infrastructure;
using Microsoft.Extensions.Hosting.Systemd;

namespace Dkms.Daemon.Tests.Systemd;

public sealed class SystemdTests
{
    [Fact]
    public async Task Notify_ListenerBound_DatagramArrives()
    {
        using var trees = new DaemonTrees();
        using var listener = new NotifyListener(Path.Combine(trees.Root, "notify"));
        var notifier = Notifier(listener.Path);

        Assert.True(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);

        Assert.Equal("READY=1", await listener.ReceiveAsync());
    }

    [Fact]
    public void Notify_NoNotifySocket_Disabled()
    {
        var notifier = Notifier(socketPath: null);

        Assert.False(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready); // no socket, nothing sent, no exception
    }

    /// <summary>The package's notifier on a given socket, through its internal "for testing" constructor (the public one reads the environment).</summary>
    private static SystemdNotifier Notifier(string? socketPath) =>
        (SystemdNotifier)typeof(SystemdNotifier).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic, [typeof(string)])!
            .Invoke([socketPath]);

    [Theory]
    [InlineData("30000000", null, 15)]
    [InlineData("30000000", "1234", 15)]
    [InlineData("30000000", "999", null)]
    [InlineData("0", null, null)]
    [InlineData(null, null, null)]
    [InlineData("x", null, null)]
    public void Interval_WatchdogEnvironment_HalfOfWatchdogUsecForThisPid(string? usec, string? pid, int? expectedSeconds) =>
        Assert.Equal(expectedSeconds is { } s ? TimeSpan.FromSeconds(s) : null, WatchdogService.Interval(usec, pid, 1234));

    [Theory]
    [InlineData("1234", "1", true)]
    [InlineData("999", "1", false)]
    [InlineData("1234", "0", false)]
    [InlineData(null, "1", false)]
    public void IsActive_ListenEnvironment_OnlyForThisPid(string? pid, string? fds, bool expected) =>
        Assert.Equal(expected, SocketActivation.IsActive(pid, fds, 1234));

    [Fact]
    public void ForJournal_JournalStreamOrNotifySocket_True()
    {
        Assert.True(DaemonLogging.ForJournal(n => n == "JOURNAL_STREAM" ? "8:1234" : null));
        Assert.True(DaemonLogging.ForJournal(n => n == "NOTIFY_SOCKET" ? "/run/systemd/notify" : null));
        Assert.False(DaemonLogging.ForJournal(_ => null));
    }

    [Fact]
    public void Prefix_Levels_SyslogPriorities()
    {
        Assert.Equal("<6>", JournalPriorityEnricher.Prefix(Serilog.Events.LogEventLevel.Information));
        Assert.Equal("<4>", JournalPriorityEnricher.Prefix(Serilog.Events.LogEventLevel.Warning));
        Assert.Equal("<3>", JournalPriorityEnricher.Prefix(Serilog.Events.LogEventLevel.Error));
    }
}
