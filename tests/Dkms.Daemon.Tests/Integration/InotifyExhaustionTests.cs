using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Protocol.V1;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// dkmsd on a machine whose inotify instances are used up (a user's editors and watchers took them all). The limit
/// is lowered only inside a user namespace of the test's own (<c>/proc/sys/user/max_inotify_instances</c> is per
/// namespace): the host's limits are never touched.
/// </summary>
public sealed class InotifyExhaustionTests : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Start_InotifyInstancesExhausted_StartsWarnsAndStatusStillSeesChanges(int instancesLeft)
    {
        string[] wrapper = ["unshare", "--user", "--map-root-user", "sh", "-c",
            $"echo {instancesLeft} > /proc/sys/user/max_inotify_instances && exec \"$0\" \"$@\""];
        await using var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, "--no-dbus"], wrapper: wrapper);
        await daemon.WaitForSocketAsync(_trees.Socket);
        using var channel = DkmsdProcess.Channel(_trees.Socket);
        var client = new Protocol.V1.Dkms.DkmsClient(channel);

        // A module added behind the daemon's back, with nothing watching: found by reading the disk.
        _trees.SourceModule("late", "1.0");
        var dir = Path.Combine(_trees.DkmsTree, "late", "1.0");
        Directory.CreateDirectory(dir);
        File.CreateSymbolicLink(Path.Combine(dir, "source"), Path.Combine(_trees.SourceTree, "late-1.0"));
        var status = await client.StatusAsync(new StatusRequest(), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal(["late/1.0: added"], status.Lines.Select(l => l.Text));
        Assert.Contains("WRN] Dkms.Daemon.Automation.TreeWatchers: Cannot watch", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("INF] Dkms.Daemon.Automation.TreeWatchers: Cannot watch", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("FTL]", daemon.Output, StringComparison.Ordinal);
    }
}
