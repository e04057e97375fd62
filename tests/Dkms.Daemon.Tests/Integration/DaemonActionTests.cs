using System.Text.Json;
using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// The real dkmsctl driving the real dkmsd over its socket, with real kernel builds: every action, jobs,
/// watch, logs, cancel, refusals, crashes and the in-process fallback.
/// </summary>
public sealed partial class DaemonActionTests : IDisposable
{
    /// <summary>A build that stays in its make phase until cancelled (make runs <c>sleep</c>).</summary>
    private const string SlowMake = "\nMAKE[0]=\"echo slow-build-started; sleep 300 # dkmsd-test-sleeper\"\n";

    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    /// <summary>dkmsd without its watchers and reconciler: these tests are about what clients ask for.</summary>
    private async Task<DkmsdProcess> StartAsync(params string[] extra)
    {
        var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, "--no-automation", .. extra]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        return daemon;
    }

    /// <summary>dkmsd with the example module added, its make replaced by <see cref="SlowMake"/>.</summary>
    private async Task<DkmsdProcess> StartWithSlowModuleAsync()
    {
        _trees.ExampleModule(extraConf: SlowMake);
        var daemon = await StartAsync();
        var add = await CtlAsync("add", "hello-dkms/1.0");
        if (add.ExitCode != 0)
        {
            await daemon.DisposeAsync();
            Assert.Fail(add.ToString());
        }

        return daemon;
    }

    private Task<ProcessResult> CtlAsync(params string[] args) => DaemonCtl.RunAsync(_trees.Socket, args);

    [Fact]
    public async Task EveryAction_ThroughDaemon_PrintsAndExitsAsInProcess()
    {
        // Two identical sets of trees: one served by dkmsd, one worked on by dkmsctl --offline.
        using var offline = new DaemonTrees();
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        KernelHeaders.LinkInto(offline.InstallTree);
        _trees.ExampleModule();
        offline.ExampleModule();
        await using var daemon = await StartAsync();
        string[][] steps =
        [
            ["generate_mok"], ["add", "hello-dkms/1.0"], ["build", "hello-dkms/1.0", "-k", kernel], ["install", "hello-dkms/1.0", "-k", kernel],
            ["status"], ["status", "--json"], ["install", "hello-dkms/1.0", "-k", kernel], ["mktarball", "hello-dkms/1.0", "-k", kernel],
            ["uninstall", "hello-dkms/1.0", "-k", kernel], ["unbuild", "hello-dkms/1.0", "-k", kernel], ["autoinstall", "-k", kernel],
            ["kernel_prerm", "-k", kernel], ["remove", "hello-dkms/1.0", "--all"], ["status"], ["build", "nosuch/1.0", "-k", kernel],
            ["remove", "hello-dkms/1.0", "-k", kernel],
        ];

        foreach (var step in steps)
        {
            var remote = await CtlAsync(step);
            var local = await DaemonCtl.RunRawAsync(null, [.. offline.TreeArgs, "--offline", .. step]);

            Assert.True(local.ExitCode == remote.ExitCode, $"{string.Join(' ', step)}: in-process {local}\nthrough dkmsd {remote}");
            Assert.Equal(Normalize(local.Stdout, offline.Root), Normalize(remote.Stdout, _trees.Root));
            Assert.Equal(Normalize(local.Stderr, offline.Root), Normalize(remote.Stderr, _trees.Root));
        }

        var jobs = JsonDocument.Parse((await CtlAsync("jobs", "--json")).Stdout).RootElement;
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("action").GetString() == "build"
            && j.GetProperty("module").GetString() == "hello-dkms" && j.GetProperty("kernel").GetString() == kernel
            && j.GetProperty("state").GetString() == "succeeded" && j.GetProperty("log_path").GetString()!.EndsWith("/log/make.log", StringComparison.Ordinal));
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("module").GetString() == "nosuch" && j.GetProperty("state").GetString() == "failed"
            && j.GetProperty("first_error_line").GetString()!.StartsWith("Error! ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JobsWatchLogs_WhileBuildRuns_ShowTheRunningJobAndFollowItsLog()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartWithSlowModuleAsync();
        await using var watch = DaemonCtl.Start(_trees.Socket, "watch");
        await watch.WaitForStderrAsync("Watching dkmsd");
        await using var build = DaemonCtl.Start(_trees.Socket, "build", "hello-dkms/1.0", "-k", kernel);
        await watch.WaitForOutputAsync("started: build hello-dkms/1.0");
        var id = await WaitForJobAsync("build", "make");

        var jobs = await CtlAsync("jobs");
        await using var follow = DaemonCtl.Start(_trees.Socket, "logs", id, "--follow");
        await follow.WaitForOutputAsync("slow-build-started");
        var cancel = await CtlAsync("cancel", id);

        Assert.Matches($@"(?m)^{id}\s+running\s+-\s+\S+\s+make\s+build hello-dkms/1\.0 for {kernel} \(x86_64\)$", jobs.Stdout);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains($"Job {id} cancelled", cancel.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await follow.WaitAsync()); // --follow ends with the job
        Assert.Contains("\nBuilding module:\nCleaning build area...", follow.Stdout, StringComparison.Ordinal);
        Assert.Equal(130, await build.WaitAsync());
        await watch.WaitForOutputAsync($"job {id} cancelled");
        Assert.Contains($"job {id} make: build hello-dkms/1.0", watch.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_OnATerminal_ShowsProgress_QuietDoesNot()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        _trees.ExampleModule();
        await using var daemon = await StartAsync();
        Assert.Equal(0, (await CtlAsync("add", "hello-dkms/1.0")).ExitCode);

        // script(1) gives dkmsctl a terminal; what it drew lands in the typescript.
        var command = $"{DaemonCtl.Binary} --socket {_trees.Socket} build hello-dkms/1.0 -k {kernel}";
        var tty = await Processes.RunAsync("script", ["-qefc", command, "/dev/null"], new Dictionary<string, string> { ["DKMSCTL_OFFLINE"] = string.Empty });
        var quiet = await Processes.RunAsync("script", ["-qefc", command.Replace(" build ", " -q build --force ", StringComparison.Ordinal), "/dev/null"],
            new Dictionary<string, string> { ["DKMSCTL_OFFLINE"] = string.Empty });

        Assert.True(tty.ExitCode == 0, tty.ToString());
        Assert.Matches(@"\r\x1b\[K\[ *\d+s\] \w+: build hello-dkms/1\.0 for " + kernel.Replace(".", "\\.", StringComparison.Ordinal), tty.Stdout);
        Assert.Contains("Building module:", tty.Stdout, StringComparison.Ordinal);
        Assert.Contains($"M={_trees.DkmsTree}/hello-dkms/1.0/build...", tty.Stdout, StringComparison.Ordinal);
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.DoesNotContain("\x1b[K[", quiet.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Building", quiet.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_RunningBuild_KillsMakeAndLeavesModuleAdded()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartWithSlowModuleAsync();
        await using var build = DaemonCtl.Start(_trees.Socket, "install", "hello-dkms/1.0", "-k", kernel);
        var id = await WaitForJobAsync("install", "make");

        Assert.Equal(0, (await CtlAsync("cancel", id)).ExitCode);

        Assert.Equal(130, await build.WaitAsync());
        Assert.False(await SleeperRunningAsync(), "make's process group outlived the cancelled job");
        Assert.Equal("hello-dkms/1.0: added\n", (await CtlAsync("status")).Stdout);
        Assert.Empty(Directory.EnumerateFiles(_trees.InstallTree, "*.ko*", SearchOption.AllDirectories));
        Assert.Equal("cancelled", Job(await JobsJsonAsync(), id).GetProperty("state").GetString());
    }

    [Fact]
    public async Task RemoveAll_WhileAnAutoinstallBuildsIt_RemoveWins_NothingReinstalledAfter()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartWithSlowModuleAsync();
        await using var autoinstall = DaemonCtl.Start(_trees.Socket, "autoinstall", "-k", kernel, "--wait");
        await WaitForJobAsync("install", "make");

        var remove = await CtlAsync("remove", "hello-dkms/1.0", "--all");

        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal(0, await autoinstall.WaitAsync()); // the kernel's batch is not failed by a module removed under it
        Assert.False(await SleeperRunningAsync());
        await Task.Delay(1000);
        Assert.Equal(string.Empty, (await CtlAsync("status")).Stdout);
        Assert.Empty(Directory.EnumerateFiles(_trees.InstallTree, "*.ko*", SearchOption.AllDirectories));
        Assert.Contains("superseded", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientInterrupted_Ctrl_C_CancelsItsBuild()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartWithSlowModuleAsync();
        await using var build = DaemonCtl.Start(_trees.Socket, "build", "hello-dkms/1.0", "-k", kernel);
        var id = await WaitForJobAsync("build", "make");

        build.Interrupt();

        Assert.Equal(130, await build.WaitAsync());
        await WaitForStateAsync(id, "cancelled");
        Assert.False(await SleeperRunningAsync());
    }

    [Fact]
    public async Task Unprivileged_ReadsStatus_RefusedBuild_LeavesNoTrace()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        _trees.ExampleModule();
        await using var daemon = await StartAsync();
        Assert.Equal(0, (await CtlAsync("add", "hello-dkms/1.0")).ExitCode);
        var before = Snapshot();

        var status = await AsNobodyAsync("status");
        var install = await AsNobodyAsync("install", "hello-dkms/1.0", "-k", kernel);
        var jobs = await AsNobodyAsync("jobs");

        Assert.Equal((0, "hello-dkms/1.0: added\n"), (status.ExitCode, status.Stdout));
        Assert.Equal(1, install.ExitCode);
        Assert.Contains("Error! ", install.Stderr, StringComparison.Ordinal);
        Assert.Contains("root", install.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("running in-process", install.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, jobs.ExitCode);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task DaemonKilledMidBuild_Restarted_JobInterruptedTreeConsistent_ClientFinishesOnTheNewDaemon()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        var source = _trees.ExampleModule(extraConf: SlowMake);
        var daemon = await StartAsync();
        string id;
        Assert.Equal(0, (await CtlAsync("add", "hello-dkms/1.0")).ExitCode);
        await using var build = DaemonCtl.Start(_trees.Socket, "install", "hello-dkms/1.0", "-k", kernel);
        await using (daemon)
        {
            id = await WaitForJobAsync("install", "make");

            daemon.Kill();
            await daemon.WaitForExitAsync();
            await build.WaitForStderrAsync("waiting for it to come back");
        }

        // The real module source again, so the rebuild below can finish.
        File.WriteAllText(Path.Combine(source, "dkms.conf"), File.ReadAllText(Path.Combine(source, "dkms.conf")).Replace(SlowMake, string.Empty, StringComparison.Ordinal));
        await using var restarted = await StartAsync();

        // The client (a package's postinst) is not failed by the crash: it runs its request again on the new daemon.
        Assert.True(await build.WaitAsync() == 0, build.Stderr);
        Assert.Contains("running the request again", build.Stderr, StringComparison.Ordinal);
        Assert.Equal("interrupted", Job(await JobsJsonAsync(), id).GetProperty("state").GetString());
        Assert.False(await SleeperRunningAsync()); // the restarted daemon stopped the orphaned build
        Assert.Contains("leftover(s) of interrupted work", restarted.Output, StringComparison.Ordinal);
        Assert.Equal($"hello-dkms/1.0, {kernel}, x86_64: installed\n", (await CtlAsync("status")).Stdout);
    }

    [Fact]
    public async Task DaemonRestartedMidBuild_SigtermCancelsTheBuild_ClientRunsItAgainOnTheNewDaemon()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        var daemon = await StartWithSlowModuleAsync();
        await using var build = DaemonCtl.Start(_trees.Socket, "build", "hello-dkms/1.0", "-k", kernel);
        string id;
        await using (daemon)
        {
            id = await WaitForJobAsync("build", "make");

            Assert.Equal(0, await daemon.StopAsync());

            Assert.False(await SleeperRunningAsync());
            await build.WaitForStderrAsync("waiting for it to come back");
        }

        var conf = Path.Combine(_trees.SourceTree, "hello-dkms-1.0", "dkms.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace(SlowMake, string.Empty, StringComparison.Ordinal));
        await using var restarted = await StartAsync();

        Assert.True(await build.WaitAsync() == 0, build.Stderr);
        Assert.Equal("cancelled", Job(await JobsJsonAsync(), id).GetProperty("state").GetString());
        Assert.Equal($"hello-dkms/1.0, {kernel}, x86_64: built\n", (await CtlAsync("status")).Stdout);
    }

    [Fact]
    public async Task DaemonStopping_WatchAndFollowingClientsDoNotHoldItUp()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        var daemon = await StartWithSlowModuleAsync();
        await using (daemon)
        {
            await using var watch = DaemonCtl.Start(_trees.Socket, "watch");
            await watch.WaitForStderrAsync("Watching dkmsd");
            await using var build = DaemonCtl.Start(_trees.Socket, "build", "hello-dkms/1.0", "-k", kernel);
            var id = await WaitForJobAsync("build", "make");
            await using var follow = DaemonCtl.Start(_trees.Socket, "logs", id, "--follow");

            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(0, await daemon.StopAsync());

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
            await watch.WaitAsync();
            await follow.WaitAsync();
        }
    }

    [Fact]
    public async Task NoDaemon_FallsBackInProcessAndSaysSo_JobVerbsNeedTheDaemon()
    {
        _trees.SourceModule("alpha", "1.0");
        var missing = Path.Combine(_trees.Root, "run", "absent.sock");

        var add = await DaemonCtl.RunRawAsync(null, [.. _trees.TreeArgs, "--socket", missing, "add", "alpha/1.0"]);
        var jobs = await DaemonCtl.RunRawAsync(null, ["--socket", missing, "jobs"]);

        Assert.Equal(0, add.ExitCode);
        Assert.Equal($"dkmsctl: dkmsd is not running (no socket at {missing}); running in-process.\n", add.Stderr);
        Assert.Contains("Creating symlink", add.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, jobs.ExitCode);
        Assert.Contains($"dkmsd is not running (no socket at {missing})", jobs.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoDaemon_AsDkms_FallsBackSilently_VerboseSaysSo()
    {
        _trees.SourceModule("alpha", "1.0");
        var missing = Path.Combine(_trees.Root, "run", "absent.sock");
        var dkms = Path.Combine(Directory.CreateDirectory(Path.Combine(_trees.Root, "bin")).FullName, "dkms");
        File.CreateSymbolicLink(dkms, DaemonCtl.Binary);

        var add = await Processes.RunAsync(dkms, [.. _trees.TreeArgs, "--socket", missing, "add", "alpha/1.0"], new Dictionary<string, string> { ["DKMSCTL_OFFLINE"] = string.Empty });
        var status = await Processes.RunAsync(dkms, [.. _trees.TreeArgs, "--socket", missing, "status", "--verbose"], new Dictionary<string, string> { ["DKMSCTL_OFFLINE"] = string.Empty });

        Assert.Equal(0, add.ExitCode);
        Assert.Equal(string.Empty, add.Stderr); // dkms's output contract: no line dkms never prints
        Assert.Contains("Creating symlink", add.Stdout, StringComparison.Ordinal);
        Assert.Equal($"dkms: dkmsd is not running (no socket at {missing}); running in-process.\n", status.Stderr);
    }

    [Fact]
    public async Task ClientPaths_RunWhereTheClientIs_NotInTheDaemonsView()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartAsync();
        // A source directory and an archive path of the caller's (the daemon under systemd has its own /tmp).
        var mine = Path.Combine(_trees.Root, "client-only");
        var source = Path.Combine(mine, "hello");
        CopyExample(source);
        var archive = Path.Combine(mine, "out", "hello.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(archive)!);

        var add = await CtlAsync("add", source);
        var build = await CtlAsync("build", "hello-dkms/1.0", "-k", kernel);
        var tarball = await CtlAsync("mktarball", "hello-dkms/1.0", "-k", kernel, "--archive", archive);

        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.True(tarball.ExitCode == 0, tarball.ToString());
        Assert.True(File.Exists(archive));
        var jobs = await JobsJsonAsync();
        Assert.DoesNotContain(jobs.EnumerateArray(), j => j.GetProperty("action").GetString() is "add" or "mktarball"); // ran in the client
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("action").GetString() == "build"); // no path: through dkmsd
    }

    [Fact]
    public async Task OtherTreeOption_ThroughDaemon_RefusedWithOfflineHint()
    {
        await using var daemon = await StartAsync();

        var r = await CtlAsync("--dkmstree", Path.Combine(_trees.Root, "elsewhere"), "status");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--offline", r.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_trees.Root, "elsewhere")));
    }

    private static string Normalize(string text, string root) =>
        Dots().Replace(MakeJobs().Replace(text.Replace(root, "<root>", StringComparison.Ordinal), "make -jN "), "...")
        // make.log's date line and archive names carry the time of day
        .Split('\n').Where(l => !l.Contains("-kernel", StringComparison.Ordinal) || !l.Contains(".tar.gz", StringComparison.Ordinal))
        .Aggregate(string.Empty, (a, l) => a + l + "\n");

    /// <summary>The -j of the make line dkms prints: dkmsd shares the cores among the builds it runs, in-process takes them all.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"make -j\d* ")]
    private static partial System.Text.RegularExpressions.Regex MakeJobs();

    /// <summary>dkms's progress dots, one per 3 s of a step: how many depends on the machine's load, not on the path taken.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"\.\.\.\.+")]
    private static partial System.Text.RegularExpressions.Regex Dots();

    private async Task<ProcessResult> AsNobodyAsync(params string[] args) =>
        await Processes.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", DaemonCtl.Binary, "--socket", _trees.Socket, .. args],
            new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["DOTNET_CLI_HOME"] = "/tmp", ["DKMSCTL_OFFLINE"] = string.Empty });

    private async Task<JsonElement> JobsJsonAsync()
    {
        var r = await CtlAsync("jobs", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    private static void CopyExample(string to)
    {
        var from = Path.Combine(Processes.RepositoryRoot, "examples", "hello-dkms-1.0");
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }

    private static JsonElement Job(JsonElement jobs, string id) => jobs.EnumerateArray().Single(j => j.GetProperty("id").GetString() == id);

    /// <summary>Polls <c>jobs --json</c> until a running job of <paramref name="action"/> is in <paramref name="phase"/>; its id.</summary>
    private async Task<string> WaitForJobAsync(string action, string phase)
    {
        var end = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < end)
        {
            foreach (var j in (await JobsJsonAsync()).EnumerateArray())
            {
                var phases = j.GetProperty("phases").EnumerateArray().ToList();
                if (j.GetProperty("action").GetString() == action && j.GetProperty("state").GetString() == "running"
                    && phases.Count > 0 && phases[^1].GetProperty("name").GetString() == phase)
                {
                    await Task.Delay(300); // make has started its sleep
                    return j.GetProperty("id").GetString()!;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"No running {action} job reached {phase}:\n{(await CtlAsync("jobs")).Stdout}");
    }

    private async Task WaitForStateAsync(string id, string state)
    {
        var end = DateTime.UtcNow.AddSeconds(30);
        while (Job(await JobsJsonAsync(), id).GetProperty("state").GetString() != state)
        {
            Assert.True(DateTime.UtcNow < end, $"job {id} never became {state}");
            await Task.Delay(100);
        }
    }

    private async Task<bool> SleeperRunningAsync()
    {
        for (var i = 0; i < 50; i++)
        {
            var r = await Processes.RunAsync("pgrep", ["-f", $"dkmsd-test-sleeper.*|sleep 300"]);
            var mine = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Any(pid => File.Exists($"/proc/{pid}/cwd") && new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget?.StartsWith(_trees.Root, StringComparison.Ordinal) == true);
            if (!mine)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    /// <summary>Every path and file length under the test's trees.</summary>
    private string Snapshot() => string.Join('\n', Directory.EnumerateFileSystemEntries(_trees.Root, "*", SearchOption.AllDirectories)
        .Where(p => !p.EndsWith(".sock", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(p => File.Exists(p) ? $"{p} {new FileInfo(p).Length}" : p));
}
