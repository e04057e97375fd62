using System.Diagnostics;
using System.Text;
using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Protocol.V1;
using Dkms.Tests.Shared;
using Grpc.Core;

namespace Dkms.Daemon.Tests.DBus;

/// <summary>The real dkmsd on a private system-like dbus-daemon that loads our policy file.</summary>
public sealed class DkmsdDBusTests : IAsyncLifetime, IDisposable
{
    private const string Iface = "org.dkmsd.Daemon1";
    private const string Name = "org.dkmsd.Daemon1";
    private const string ObjectPath = "/org/dkmsd/Daemon1";

    private readonly DaemonTrees _trees = new();
    private DBusDaemon _bus = null!;

    public Task InitializeAsync()
    {
        _bus = DBusDaemon.SystemLike(Path.Combine(_trees.Root, "bus"), RepositoryPaths.DBusPolicyDir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _bus.DisposeAsync();

    public void Dispose() => _trees.Dispose();

    /// <summary>dkmsd on the private bus, without automation: only the builds a test asks for run (and emit signals).</summary>
    private DkmsdProcess StartDaemon(params string[] extra) =>
        DkmsdProcess.Start([.. _trees.DaemonArgs, "--workers", "2", "--no-automation", .. extra], new Dictionary<string, string> { ["DBUS_SYSTEM_BUS_ADDRESS"] = _bus.Address });

    [Fact]
    public async Task Builds_OneSucceedsOneFails_SignalsSeenByClientAndDbusMonitor()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        var good = CopyExample("hello-dkms", broken: false);
        var bad = CopyExample("hello-bad", broken: true);
        await _bus.StartAsync();
        await using var recorder = await SignalRecorder.StartAsync(_bus.Address, Iface);
        using var monitor = StartMonitor();
        await using var daemon = StartDaemon();
        await daemon.WaitForSocketAsync(_trees.Socket);
        await SignalRecorder.WaitForNameAsync(recorder.Connection, Name);

        using var channel = DkmsdProcess.Channel(_trees.Socket);
        var client = new Protocol.V1.Dkms.DkmsClient(channel);
        await DrainAsync(client.Build(new BuildRequest { SourceDir = good, Kernels = { new KernelTarget { Kernel = kernel } } }));
        await DrainAsync(client.Build(new BuildRequest { SourceDir = bad, Kernels = { new KernelTarget { Kernel = kernel } } }));

        var ok = await recorder.WaitForAsync(s => s is { Member: "JobFinished" } && s.S(2) == "hello-dkms" && s.S(1) == "build");
        var failed = await recorder.WaitForAsync(s => s is { Member: "JobFinished" } && s.S(2) == "hello-bad" && s.S(1) == "build");

        Assert.Equal(["build", "hello-dkms", "1.0", kernel], ok.Args.Skip(1).Take(4));
        Assert.False(string.IsNullOrEmpty(ok.S(5))); // arch
        Assert.Equal("succeeded", ok.S(6));
        Assert.Equal(0, ok.Args[7]);
        Assert.Equal(string.Empty, ok.S(8));
        Assert.Equal("failed", failed.S(6));
        Assert.NotEqual(0, failed.Args[7]);
        Assert.Contains("error", failed.S(8), StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(failed.S(9)), failed.S(9));
        Assert.Contains("error", await File.ReadAllTextAsync(failed.S(9)), StringComparison.OrdinalIgnoreCase);
        foreach (var job in new[] { ok, failed })
        {
            Assert.Contains(recorder.Seen, s => s.Member == "JobQueued" && s.S(0) == job.S(0));
            Assert.Contains(recorder.Seen, s => s.Member == "JobStarted" && s.S(0) == job.S(0));
        }

        Assert.Contains(recorder.Seen, s => s.Member == "ModuleAdded" && s.S(0) == "hello-bad" && s.S(1) == "1.0");
        var monitored = await monitor.WaitForAsync("string \"hello-bad\"", "member=JobFinished", "string \"failed\"");
        Assert.Contains($"path={ObjectPath}; interface={Iface}; member=JobQueued", monitored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_AsNobody_ReadOnlyMembersAnswerEverythingElseDenied()
    {
        await _bus.StartAsync();
        await using var recorder = await SignalRecorder.StartAsync(_bus.Address, Iface);
        await using var daemon = StartDaemon();
        await daemon.WaitForSocketAsync(_trees.Socket);
        await SignalRecorder.WaitForNameAsync(recorder.Connection, Name);

        var introspect = await AsNobodyAsync("busctl", "--address=" + _bus.Address, "introspect", Name, ObjectPath);
        var getAll = await DBusSendAsNobodyAsync("org.freedesktop.DBus.Properties.GetAll", "string:" + Iface);
        var jobs = await DBusSendAsNobodyAsync(Iface + ".GetActiveJobs");
        var status = await DBusSendAsNobodyAsync(Iface + ".GetStatusLines");
        var ping = await DBusSendAsNobodyAsync("org.freedesktop.DBus.Peer.Ping");
        var set = await DBusSendAsNobodyAsync("org.freedesktop.DBus.Properties.Set", "string:" + Iface, "string:Version", "variant:string:x");
        var unknown = await DBusSendAsNobodyAsync(Iface + ".Build");
        var own = await AsNobodyAsync("dbus-send", "--bus=" + _bus.Address, "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName", "string:" + Name, "uint32:0");

        Assert.True(introspect.ExitCode == 0, introspect.ToString());
        foreach (var member in new[] { ".JobFinished", ".KernelSettled", ".GetStatus", ".Version", "org.freedesktop.DBus.Peer", "org.freedesktop.DBus.Properties" })
        {
            Assert.Contains(member, introspect.Stdout, StringComparison.Ordinal);
        }

        Assert.True(getAll.ExitCode == 0, getAll.ToString());
        Assert.Contains("dkmsd-", getAll.Stdout, StringComparison.Ordinal);
        Assert.True(jobs.ExitCode == 0, jobs.ToString());
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.True(ping.ExitCode == 0, ping.ToString());
        Assert.Contains("AccessDenied", set.Stderr, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", own.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_NobodyWithoutDaemon_CannotOwnTheName()
    {
        await _bus.StartAsync();

        var own = await AsNobodyAsync("dbus-send", "--bus=" + _bus.Address, "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName", "string:" + Name, "uint32:0");
        var rootOwn = await Processes.RunAsync("dbus-send", ["--bus=" + _bus.Address, "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName", "string:" + Name, "uint32:0"]);

        Assert.NotEqual(0, own.ExitCode);
        Assert.Contains("org.freedesktop.DBus.Error.AccessDenied", own.Stderr, StringComparison.Ordinal);
        Assert.True(rootOwn.ExitCode == 0, rootOwn.ToString());
        Assert.Contains("uint32 1", rootOwn.Stdout, StringComparison.Ordinal); // DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
    }

    [Fact]
    public async Task NoBus_DaemonWorksSaysSoOnceThenReconnectsAfterBusStartsAndRestarts()
    {
        _trees.SourceModule("alpha", "1.0");
        await using var daemon = StartDaemon();
        await daemon.WaitForSocketAsync(_trees.Socket);
        using var channel = DkmsdProcess.Channel(_trees.Socket);
        var client = new Protocol.V1.Dkms.DkmsClient(channel);
        await client.GetInfoAsync(new GetInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        await Task.Delay(2000); // a few retries go by

        Assert.Equal(1, Count(daemon.Output, "no system bus"));

        await _bus.StartAsync();
        await using (var recorder = await SignalRecorder.StartAsync(_bus.Address, Iface))
        {
            await SignalRecorder.WaitForNameAsync(recorder.Connection, Name);
        }

        await _bus.RestartAsync();
        await using var after = await SignalRecorder.StartAsync(_bus.Address, Iface);
        await SignalRecorder.WaitForNameAsync(after.Connection, Name);
        await DrainAsync(client.Add(new AddRequest { Module = new ModuleRef { Name = "alpha", Version = "1.0" } }));

        await after.WaitForAsync(s => s.Member == "ModuleAdded" && s.S(0) == "alpha");
        Assert.Equal(1, Count(daemon.Output, "no system bus"));
        Assert.Equal(2, Count(daemon.Output, "owning org.dkmsd.Daemon1"));
        Assert.Equal(1, Count(daemon.Output, "lost the system bus"));
    }

    [Fact]
    public async Task NoDbusOption_BusPresent_NameNeverOwned()
    {
        await _bus.StartAsync();
        await using var recorder = await SignalRecorder.StartAsync(_bus.Address, Iface);
        await using var daemon = StartDaemon("--no-dbus");
        await daemon.WaitForSocketAsync(_trees.Socket);
        await Task.Delay(1000);

        Assert.DoesNotContain(Name, await recorder.Connection.ListServicesAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("D-Bus signals are off", daemon.Output, StringComparison.Ordinal);
    }

    private static int Count(string text, string what)
    {
        var n = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal))
        {
            n++;
        }

        return n;
    }

    /// <summary>A copy of examples/hello-dkms-1.0 under another name, optionally with a syntax error.</summary>
    private string CopyExample(string name, bool broken)
    {
        var dir = Path.Combine(_trees.Root, "incoming", $"{name}-1.0");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.EnumerateFiles(RepositoryPaths.Example))
        {
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        }

        var conf = Path.Combine(dir, "dkms.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("PACKAGE_NAME=\"hello-dkms\"", $"PACKAGE_NAME=\"{name}\"", StringComparison.Ordinal));
        if (broken)
        {
            File.AppendAllText(Path.Combine(dir, "hello_dkms.c"), "\nstatic int broken = ;\n");
        }

        return dir;
    }

    private static async Task DrainAsync(AsyncServerStreamingCall<ActionEvent> call)
    {
        using (call)
        {
            try
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None).WithTimeout(TimeSpan.FromMinutes(2)))
                {
                }
            }
            catch (RpcException)
            {
                // a failed build ends the stream with its status; the signals are what is checked
            }
        }
    }

    private Task<ProcessResult> DBusSendAsNobodyAsync(string method, params string[] args)
    {
        return AsNobodyAsync(["dbus-send", "--bus=" + _bus.Address, "--print-reply", "--dest=" + Name, ObjectPath, method, .. args]);
    }

    private static Task<ProcessResult> AsNobodyAsync(params string[] command) => Processes.RunAsync("setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", .. command], new Dictionary<string, string> { ["HOME"] = "/nonexistent" });

    private Monitor StartMonitor() => new(_bus.Address);

    /// <summary><c>dbus-monitor</c> on the bus, filtered to our interface's signals.</summary>
    private sealed class Monitor : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _out = new();

        public Monitor(string address)
        {
            var psi = new ProcessStartInfo("dbus-monitor") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--address");
            psi.ArgumentList.Add(address);
            psi.ArgumentList.Add($"type='signal',interface='{Iface}'");
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) =>
            {
                lock (_out)
                {
                    _out.AppendLine(e.Data);
                }
            };
            _process.BeginOutputReadLine();
            _ = _process.StandardError.ReadToEndAsync();
        }

        public async Task<string> WaitForAsync(params string[] all)
        {
            var end = DateTime.UtcNow.AddSeconds(30);
            string text;
            do
            {
                lock (_out)
                {
                    text = _out.ToString();
                }

                if (all.All(a => text.Contains(a, StringComparison.Ordinal)))
                {
                    return text;
                }

                await Task.Delay(50);
            }
            while (DateTime.UtcNow < end);
            throw new TimeoutException("dbus-monitor saw:\n" + text);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
        }
    }
}
