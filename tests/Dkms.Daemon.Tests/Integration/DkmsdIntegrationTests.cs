using System.Diagnostics;
using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Protocol.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>The real dkmsd binary on a temporary socket and trees, called over the Unix socket.</summary>
public sealed class DkmsdIntegrationTests(ITestOutputHelper output) : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(30);

    private async Task<DkmsdProcess> StartAsync(params string[] extra)
    {
        var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, .. extra]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        return daemon;
    }

    [Fact]
    public async Task GetInfo_RealDaemon_ReportsTreesAndRootCaller()
    {
        await using var daemon = await StartAsync("--workers", "2");
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var info = await new Protocol.V1.Dkms.DkmsClient(channel).GetInfoAsync(new GetInfoRequest(), deadline: Deadline);

        Assert.Equal(_trees.DkmsTree, info.Trees.DkmsTree);
        Assert.Equal(_trees.InstallTree, info.Trees.InstallTree);
        Assert.Equal(_trees.FrameworkConf, info.Trees.FrameworkConf);
        Assert.Equal(2u, info.Workers);
        Assert.Equal(daemon.Pid, info.Pid);
        Assert.False(info.SocketActivated);
        Assert.Equal(0u, info.Caller.Uid);
        Assert.Equal(Environment.ProcessId, info.Caller.Pid);
        Assert.True(info.Caller.MayModify);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite, File.GetUnixFileMode(_trees.Socket));
    }

    [Fact]
    public async Task Status_SameTrees_PrintsExactlyWhatDkmsctlPrints()
    {
        _trees.SourceModule("alpha", "1.0");
        _trees.SourceModule("gamma", "0.3");
        foreach (var m in new[] { "alpha/1.0", "gamma/0.3" })
        {
            var add = await _trees.DkmsCtlAsync("add", m);
            Assert.True(add.ExitCode == 0, add.ToString());
        }

        _trees.BrokenModule("beta", "2.0");
        var expected = await _trees.DkmsCtlAsync("status");
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var status = await new Protocol.V1.Dkms.DkmsClient(channel).StatusAsync(new StatusRequest(), deadline: Deadline);

        Assert.Equal(0, expected.ExitCode);
        Assert.Contains("alpha/1.0: added", expected.Stdout, StringComparison.Ordinal);
        Assert.Equal(expected.Stdout, Replay(status.Lines, OutputStream.Stdout));
        Assert.Equal(expected.Stderr, Replay(status.Lines, OutputStream.Stderr));
        Assert.Equal(3, status.Entries.Count);
    }

    [Fact]
    public async Task Status_BuiltAndInstalledModules_PrintsExactlyWhatDkmsctlPrints()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        _trees.SourceModule("built", "1.0");
        _trees.SourceModule("inst", "2.0");
        foreach (var args in new[]
                 {
                     new[] { "add", "built/1.0" }, ["add", "inst/2.0"], ["build", "built/1.0", "-k", kernel],
                     ["install", "inst/2.0", "-k", kernel, "--no-depmod"],
                 })
        {
            var r = await _trees.DkmsCtlAsync(args);
            Assert.True(r.ExitCode == 0, r.ToString());
        }

        var expected = await _trees.DkmsCtlAsync("status");
        var expectedForKernel = await _trees.DkmsCtlAsync("status", "-k", kernel);
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);
        var client = new Protocol.V1.Dkms.DkmsClient(channel);

        var status = await client.StatusAsync(new StatusRequest(), deadline: Deadline);
        var forKernel = await client.StatusAsync(new StatusRequest { Kernels = { new KernelTarget { Kernel = kernel } } }, deadline: Deadline);

        Assert.Contains(": installed", expected.Stdout, StringComparison.Ordinal);
        Assert.Contains(": built", expected.Stdout, StringComparison.Ordinal);
        Assert.Equal(expected.Stdout, Replay(status.Lines, OutputStream.Stdout));
        Assert.Equal(expected.Stderr, Replay(status.Lines, OutputStream.Stderr));
        Assert.Equal(expectedForKernel.Stdout, Replay(forKernel.Lines, OutputStream.Stdout));
        Assert.Equal([ModuleState.Built, ModuleState.Installed], status.Entries.Select(e => e.State));
    }

    [Fact]
    public async Task Build_RootCaller_UnknownModule_StreamEndsWithDkmsExitCode()
    {
        await using var daemon = await StartAsync();
        using var channel = DkmsdProcess.Channel(_trees.Socket);
        var client = new Protocol.V1.Dkms.DkmsClient(channel);

        using var call = client.Build(new BuildRequest { Module = new ModuleRef { Name = "x", Version = "1" } }, deadline: Deadline);
        var events = new List<ActionEvent>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
        {
            events.Add(e);
        }

        Assert.NotEqual(0, events[^1].Result.ExitCode);
        Assert.Contains(events, e => e.Output?.Text.StartsWith("Error! ", StringComparison.Ordinal) == true);
        Assert.Equal(JobState.Failed, events.Last(e => e.Job is not null).Job.State);
    }

    [Fact]
    public async Task Calls_AsNobody_StatusAllowedActionsPermissionDenied()
    {
        await using var daemon = await StartAsync();

        Assert.Equal("OK uid=65534 may_modify=False", await AsNobodyAsync("GetInfo"));
        Assert.StartsWith("OK lines=", await AsNobodyAsync("Status"), StringComparison.Ordinal);
        Assert.Equal("PermissionDenied 1", await AsNobodyAsync("Build"));
        Assert.Equal("PermissionDenied 1", await AsNobodyAsync("CancelJob"));
        Assert.Contains("Denied /dkms.v1.Dkms/Build to uid 65534", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_AsNobodyInAdminSupplementaryGroup_ActionsAuthorized()
    {
        // gid 27 only as a supplementary group: seen through SO_PEERGROUPS, not SO_PEERCRED.
        await using var daemon = await StartAsync("--admin-gid", "27");

        Assert.Equal("OK uid=65534 may_modify=True", await AsNobodyAsync("GetInfo", "--groups=27"));
        Assert.Equal("OK", await AsNobodyAsync("Build", "--groups=27"));
        Assert.Equal("PermissionDenied 1", await AsNobodyAsync("Build"));
    }

    /// <summary>Runs the test client as uid/gid 65534 (no supplementary groups unless <paramref name="groups"/>).</summary>
    private async Task<string> AsNobodyAsync(string method, string groups = "--clear-groups")
    {
        var r = await Processes.RunAsync("setpriv",
            ["--reuid=65534", "--regid=65534", groups, Processes.Binary("dkmsd-testclient"), _trees.Socket, method],
            new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["DOTNET_CLI_HOME"] = "/tmp" });
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.TrimEnd('\n');
    }

    [Fact]
    public async Task Notify_NotifySocketSet_ReadyAfterListeningThenStoppingOnSigterm()
    {
        using var notify = new NotifyListener(Path.Combine(_trees.Root, "notify.sock"));
        var clock = Stopwatch.StartNew();
        await using var daemon = DkmsdProcess.Start(_trees.DaemonArgs, new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });

        var ready = await notify.WaitForAsync("READY=1");
        var readyAfter = clock.Elapsed;

        // READY=1 means the socket answers and has its mode.
        using (var channel = DkmsdProcess.Channel(_trees.Socket))
        {
            await new Protocol.V1.Dkms.DkmsClient(channel).GetInfoAsync(new GetInfoRequest(), deadline: Deadline);
        }

        output.WriteLine($"READY=1 {readyAfter.TotalMilliseconds:F0} ms after exec; {Rss(daemon.Pid)}");
        Assert.Contains($"MAINPID={daemon.Pid}", ready, StringComparison.Ordinal);
        Assert.Contains("<6>", daemon.Output, StringComparison.Ordinal); // journald priority prefixes under systemd

        await Processes.TerminateAsync(daemon.Pid);
        await notify.WaitForAsync("STOPPING=1");
        Assert.Equal(0, await daemon.StopAsync());
        Assert.False(File.Exists(_trees.Socket));
    }

    [Fact]
    public async Task Watchdog_WatchdogUsecSet_SendsWatchdogPings()
    {
        using var notify = new NotifyListener(Path.Combine(_trees.Root, "notify.sock"));
        await using var daemon = DkmsdProcess.Start(_trees.DaemonArgs, new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notify.Path,
            ["WATCHDOG_USEC"] = "400000",
        });

        await notify.WaitForAsync("WATCHDOG=1");
        await notify.WaitForAsync("WATCHDOG=1");
    }

    [Fact]
    public async Task SocketActivation_SystemdSocketActivate_FirstCallStartsDaemonOnPassedSocket()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_trees.Socket)!);
        await using var activator = DkmsdProcess.Start(_trees.DaemonArgs, wrapper: ["systemd-socket-activate", "-l", _trees.Socket]);
        await activator.WaitForSocketAsync(_trees.Socket);
        using var channel = DkmsdProcess.Channel(_trees.Socket);

        var info = await new Protocol.V1.Dkms.DkmsClient(channel).GetInfoAsync(new GetInfoRequest(), deadline: Deadline);

        Assert.True(info.SocketActivated);
        Assert.Equal(0u, info.Caller.Uid);

        // systemd-socket-activate execs dkmsd in place; the passed socket must not leak into make and scripts.
        var flags = File.ReadLines($"/proc/{activator.Pid}/fdinfo/3").First(l => l.StartsWith("flags:", StringComparison.Ordinal));
        var octal = Convert.ToInt32(flags["flags:".Length..].Trim(), 8);
        Assert.True((octal & Convert.ToInt32("2000000", 8)) != 0, $"fd 3 is not O_CLOEXEC: {flags}");
        Assert.Contains("LISTEN_FDS", activator.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SocketLeftByKilledDaemon_RemovedAndListens()
    {
        await using (var killed = await StartAsync())
        {
            killed.Kill(); // SIGKILL: no clean shutdown, the socket file stays
            await killed.WaitForExitAsync();
        }

        Assert.True(File.Exists(_trees.Socket));

        await using var daemon = await StartAsync();

        await daemon.WaitForOutputAsync("Removed a stale socket file"); // its output is read asynchronously
    }

    [Fact]
    public async Task Start_AnotherDaemonListening_SecondRefusesToStart()
    {
        await using var first = await StartAsync();
        await using var second = DkmsdProcess.Start(_trees.DaemonArgs);

        Assert.Equal(1, await second.WaitForExitAsync());
        Assert.Contains("Another process is listening", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownOption_ExitsWithFatal()
    {
        await using var daemon = DkmsdProcess.Start(["--sokcet", "/x"]);

        Assert.Equal(1, await daemon.WaitForExitAsync());
        Assert.Contains("Unknown argument '--sokcet'", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RelativeSocketPath_FailsValidation()
    {
        await using var daemon = DkmsdProcess.Start(["--socket", "relative.sock", .. _trees.TreeArgs]);

        Assert.Equal(1, await daemon.WaitForExitAsync());
        Assert.Contains("Socket must be an absolute path", daemon.Output, StringComparison.Ordinal);
    }

    private static string Replay(IEnumerable<OutputLine> lines, OutputStream stream) =>
        string.Concat(lines.Where(l => l.Stream == stream).Select(l => l.Text + (l.NoNewline ? string.Empty : "\n")));

    private static string Rss(int pid) =>
        File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) ?? "VmRSS: ?";
}
