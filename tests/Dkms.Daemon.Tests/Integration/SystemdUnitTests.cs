using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Integration;

public sealed class SystemdUnitTests : IDisposable
{
    private readonly DaemonTrees _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Unit(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "systemd", name));

    [Fact]
    public async Task Verify_ServiceAndSocketWithBuiltBinary_Pass()
    {
        // verify needs ExecStart to exist: point it at the dkmsd built next to the tests.
        File.WriteAllText(Path.Combine(_dir.Root, "dkmsd.service"), Unit("dkmsd.service").Replace("/usr/lib/dkmsd/dkmsd", Processes.Binary("dkmsd"), StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(_dir.Root, "dkmsd.socket"), Unit("dkmsd.socket"));

        var result = await Processes.RunAsync("systemd-analyze",
            ["verify", Path.Combine(_dir.Root, "dkmsd.service"), Path.Combine(_dir.Root, "dkmsd.socket")]);

        Assert.True(result.ExitCode == 0 && result.Stderr.Length == 0, result.ToString());
    }

    [Fact]
    public void Units_SocketAndService_AgreeOnPathAndType()
    {
        var service = Unit("dkmsd.service");
        var socket = Unit("dkmsd.socket");

        Assert.Contains("Type=notify", service, StringComparison.Ordinal);
        Assert.Contains("--socket /run/dkms/dkmsd.sock", service, StringComparison.Ordinal);
        Assert.Contains("ListenStream=/run/dkms/dkmsd.sock", socket, StringComparison.Ordinal);
        Assert.Contains("SocketMode=0666", socket, StringComparison.Ordinal);
    }
}
