using System.Text.Json;
using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// dkmsd on its own: kernels whose headers appear, sources copied in, bursts, BUILD_DEPENDS, failures,
/// crashes, inotify overflow, removals and the kernel hooks, with real builds on temporary trees.
/// </summary>
public sealed class AutomationTests : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    private string Kernel => KernelHeaders.Kernel;

    private async Task<DkmsdProcess> StartAsync(params string[] extra)
    {
        var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, .. extra]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        return daemon;
    }

    private Task<ProcessResult> CtlAsync(params string[] args) => DaemonCtl.RunAsync(_trees.Socket, args);

    private async Task AddOfflineAsync(string module)
    {
        var r = await _trees.DkmsCtlAsync("add", module);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    /// <summary>Polls status until it equals <paramref name="expected"/>.</summary>
    private async Task WaitForStatusAsync(string expected, int seconds = 90)
    {
        var end = DateTime.UtcNow.AddSeconds(seconds);
        string last;
        do
        {
            last = (await CtlAsync("status")).Stdout;
            if (last == expected)
            {
                return;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < end);

        Assert.Fail($"status never became\n{expected}\nlast:\n{last}\njobs:\n{(await CtlAsync("jobs")).Stdout}");
    }

    private string Installed(string mv) => $"{mv}, {Kernel}, x86_64: installed\n";

    private async Task<List<JsonElement>> JobsAsync() =>
        [.. JsonDocument.Parse((await CtlAsync("jobs", "--json")).Stdout).RootElement.Clone().EnumerateArray()];

    [Fact]
    public async Task HeadersAppear_EveryAutoinstallModuleInstalledWithNoClientCall()
    {
        _trees.ExampleModule("auto-a", "1.0");
        _trees.ExampleModule("auto-b", "2.0");
        _trees.ExampleModule("manual", "1.0", extraConf: "\nAUTOINSTALL=\"\"\n");
        foreach (var m in new[] { "auto-a/1.0", "auto-b/2.0", "manual/1.0" })
        {
            await AddOfflineAsync(m);
        }

        await using var daemon = await StartAsync();
        await using var watch = DaemonCtl.Start(_trees.Socket, "watch");
        await watch.WaitForStderrAsync("Watching dkmsd");

        KernelHeaders.LinkInto(_trees.InstallTree); // as the headers package's build link appears

        await watch.WaitForOutputAsync($"kernel {Kernel} settled", TimeSpan.FromSeconds(120));
        await WaitForStatusAsync(Installed("auto-a/1.0") + Installed("auto-b/2.0") + "manual/1.0: added\n");
        Assert.Contains($"kernel {Kernel} detected", watch.Stdout, StringComparison.Ordinal);
        var installs = (await JobsAsync()).Where(j => j.GetProperty("action").GetString() == "install").ToList();
        Assert.Equal(2, installs.Count);
        Assert.All(installs, j => Assert.Equal(JsonValueKind.Null, j.GetProperty("requested_by").ValueKind));
        Assert.Single(daemon.Output.Split('\n'), l => l.Contains($"Kernel {Kernel} settled", StringComparison.Ordinal)); // one batch for the burst
    }

    [Fact]
    public async Task SourceCopiedIn_AddedBuiltAndInstalled_RemovedOneStaysRemoved()
    {
        KernelHeaders.LinkInto(_trees.InstallTree);
        await using (var daemon = await StartAsync())
        {
            await Task.Delay(500);
            CopyDirectory(Path.Combine(Processes.RepositoryRoot, "examples", "hello-dkms-1.0"), Path.Combine(_trees.SourceTree, "hello-dkms-1.0"));

            await WaitForStatusAsync(Installed("hello-dkms/1.0"));
            var remove = await CtlAsync("remove", "hello-dkms/1.0", "--all");
            Assert.True(remove.ExitCode == 0, remove.ToString());
        }

        // Restarted, and asked to look again: the source is still in the source tree, but the user removed it.
        await using var again = await StartAsync();
        await Task.Delay(2500);
        Assert.Equal(string.Empty, (await CtlAsync("status")).Stdout);
        Assert.True(Directory.Exists(Path.Combine(_trees.SourceTree, "hello-dkms-1.0")));
    }

    [Fact]
    public async Task SourceUnpackedByDpkg_DaemonWaitsForTheLock_PostinstAddsIt_NoDuplicateAdd()
    {
        KernelHeaders.LinkInto(_trees.InstallTree);
        var dpkg = FakeDpkg.Create(_trees.DpkgAdminDir);
        await using var daemon = await StartAsync();
        await Task.Delay(500);
        var source = Path.Combine(_trees.SourceTree, "hello-dkms-1.0");

        // dpkg unpacks a *-dkms package: it holds its lock, lists the tree as the package's, and leaves it unconfigured.
        using (dpkg.Lock())
        {
            dpkg.Unpack("hello-dkms-dkms", source);
            CopyDirectory(Path.Combine(Processes.RepositoryRoot, "examples", "hello-dkms-1.0"), source);
            await Task.Delay(5000); // a burst, a reconcile and more: nothing happens while the lock is held
            Assert.Equal(string.Empty, (await CtlAsync("status")).Stdout);
            Assert.Contains("automatic work waits", daemon.Output, StringComparison.Ordinal);

            // The package's postinst (common.postinst) adds it while dpkg still holds the lock.
            var add = await CtlAsync("add", "-m", "hello-dkms", "-v", "1.0");
            Assert.True(add.ExitCode == 0, add.ToString());
            dpkg.Configure("hello-dkms-dkms");
        }

        // The lock is released: the daemon catches up (installs what was added) and adds nothing twice.
        await WaitForStatusAsync(Installed("hello-dkms/1.0"));
        Assert.DoesNotContain("New module source", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(await JobsAsync(), j => j.GetProperty("action").GetString() == "add" && j.GetProperty("requested_by").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task SourceOfAnUnconfiguredPackage_LeftToItsPostinst_AddedOnlyWhenNobodyOwnsIt()
    {
        KernelHeaders.LinkInto(_trees.InstallTree);
        var dpkg = FakeDpkg.Create(_trees.DpkgAdminDir);
        await using var daemon = await StartAsync();
        await Task.Delay(500);

        // dpkg was killed after unpacking (lock released, package half-installed): dpkg --configure -a will add it.
        var owned = Path.Combine(_trees.SourceTree, "owned-1.0");
        dpkg.Unpack("owned-dkms", owned);
        _trees.ExampleModule("owned", "1.0");
        // A tree nobody packaged (copied by hand) is the daemon's to add.
        _trees.ExampleModule("loose", "1.0");

        await WaitForStatusAsync(Installed("loose/1.0"));
        await Task.Delay(1500);
        Assert.Equal(Installed("loose/1.0"), (await CtlAsync("status")).Stdout);
    }

    [Fact]
    public async Task SourceAddedByTheDaemon_AddOfTheSameTreeTakesItOver_OnceOnly()
    {
        await using var daemon = await StartAsync();
        await Task.Delay(500);
        CopyDirectory(Path.Combine(Processes.RepositoryRoot, "examples", "hello-dkms-1.0"), Path.Combine(_trees.SourceTree, "hello-dkms-1.0"));
        await WaitForStatusAsync("hello-dkms/1.0: added\n");
        await Task.Delay(500); // the daemon marks it once its add has finished

        var adopt = await CtlAsync("add", "-m", "hello-dkms", "-v", "1.0");
        var again = await CtlAsync("add", "-m", "hello-dkms", "-v", "1.0");
        var offline = await _trees.DkmsCtlAsync("add", "-m", "hello-dkms", "-v", "1.0");

        Assert.True(adopt.ExitCode == 0, adopt.ToString());
        Assert.Equal($"Creating symlink {_trees.DkmsTree}/hello-dkms/1.0/source -> {_trees.SourceTree}/hello-dkms-1.0\n", adopt.Stdout);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("DKMS tree already contains: hello-dkms-1.0", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, offline.ExitCode);
    }

    [Fact]
    public async Task BuildDepends_DependentStartsAfterItsDependencyFinished()
    {
        _trees.ExampleModule("dep-b", "1.0", extraConf: "\nBUILD_DEPENDS[0]=\"dep-a\"\n");
        _trees.ExampleModule("dep-a", "1.0");
        await AddOfflineAsync("dep-b/1.0");
        await AddOfflineAsync("dep-a/1.0");
        KernelHeaders.LinkInto(_trees.InstallTree);

        await using var daemon = await StartAsync("--no-automation");
        var r = await CtlAsync("autoinstall", "-k", Kernel, "--wait");

        Assert.True(r.ExitCode == 0, r.ToString());
        var jobs = await JobsAsync();
        var a = jobs.Single(j => j.GetProperty("module").GetString() == "dep-a");
        var b = jobs.Single(j => j.GetProperty("module").GetString() == "dep-b");
        Assert.True(b.GetProperty("started_at").GetDateTimeOffset() >= a.GetProperty("finished_at").GetDateTimeOffset(),
            "dep-b ran before dep-a was installed");
        // Each module's install, as dkms prints it, in the order they ended.
        var (blockA, blockB) = (r.Stdout.IndexOf("\ndep_a.ko:\n", StringComparison.Ordinal), r.Stdout.IndexOf("\ndep_b.ko:\n", StringComparison.Ordinal));
        Assert.True(blockA >= 0 && blockB > blockA, r.ToString());
    }

    [Fact]
    public async Task OneModuleFails_OthersInstalled_WaitReturns11_DependentBlocked()
    {
        _trees.ExampleModule("good", "1.0");
        _trees.ExampleModule("bad", "1.0", brokenSource: true);
        _trees.ExampleModule("needs-bad", "1.0", extraConf: "\nBUILD_DEPENDS[0]=\"bad\"\n");
        foreach (var m in new[] { "good/1.0", "bad/1.0", "needs-bad/1.0" })
        {
            await AddOfflineAsync(m);
        }

        KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartAsync(); // its start-up reconcile starts the batch; --wait joins it

        var r = await CtlAsync("autoinstall", "-k", Kernel, "--wait");

        Assert.True(r.ExitCode == 11, r.ToString());
        Assert.EndsWith("needs-bad/1.0 autoinstall failed due to missing dependencies: bad\n", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("Error! One or more modules failed to install during autoinstall.", r.Stderr, StringComparison.Ordinal);
        var status = (await CtlAsync("status")).Stdout;
        Assert.Contains(Installed("good/1.0"), status, StringComparison.Ordinal);
        Assert.Contains("bad/1.0: added", status, StringComparison.Ordinal);
        var bad = (await JobsAsync()).First(j => j.GetProperty("module").GetString() == "bad");
        Assert.Equal("failed", bad.GetProperty("state").GetString());
        Assert.Contains("error:", bad.GetProperty("first_error_line").GetString(), StringComparison.Ordinal);

        // good and bad built side by side: each had its share of one make -j budget (the cores), not all of it.
        var good = (await JobsAsync()).First(j => j.GetProperty("module").GetString() == "good");
        var share = Math.Max(1, Environment.ProcessorCount / Math.Min(3, Environment.ProcessorCount));
        Assert.Contains($"\nmake -j{share} KERNELRELEASE=", (await CtlAsync("logs", good.GetProperty("id").GetString()!)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PeriodicReconcile_FindsWhatNoWatcherSees_FailedModuleRetriedOnlyWhenItsConfChanges()
    {
        KernelHeaders.LinkInto(_trees.InstallTree);
        _trees.ExampleModule("later", "1.0");
        var bad = _trees.ExampleModule("bad", "1.0", brokenSource: true);
        await using var daemon = await StartAsync("--reconcile-interval", "00:00:02");
        await Task.Delay(1000);

        // The dkms tree is not watched: only the periodic reconcile sees these modules being added.
        await AddOfflineAsync("later/1.0");
        await AddOfflineAsync("bad/1.0");

        await WaitForStatusAsync("bad/1.0: added\n" + Installed("later/1.0"));
        await Task.Delay(5000); // two more periodic reconciles
        int BadJobs(List<JsonElement> jobs) => jobs.Count(j => j.GetProperty("module").GetString() == "bad");
        Assert.Equal(1, BadJobs(await JobsAsync()));

        File.AppendAllText(Path.Combine(bad, "dkms.conf"), "\n# changed\n");
        File.SetLastWriteTimeUtc(Path.Combine(bad, "dkms.conf"), DateTime.UtcNow.AddMinutes(1));
        var end = DateTime.UtcNow.AddSeconds(60);
        while (BadJobs(await JobsAsync()) < 2)
        {
            Assert.True(DateTime.UtcNow < end, "the failed module was not retried after its dkms.conf changed");
            await Task.Delay(200);
        }
    }

    [Theory]
    [InlineData("make")]
    [InlineData("install")]
    public async Task KilledDuringBuildOrInstall_Restarted_ReconcilerFinishesCleanly(string phase)
    {
        // A make that takes a while, so the kill lands inside the phase.
        var extra = phase == "make" ? "\nPRE_BUILD=\"slow.sh\"\n" : "\nPRE_INSTALL=\"slow.sh\"\n";
        DaemonTrees.Script(_trees.ExampleModule(extraConf: extra), "slow.sh", "sleep 4");
        await AddOfflineAsync("hello-dkms/1.0");
        var daemon = await StartAsync();
        await using (daemon)
        {
            KernelHeaders.LinkInto(_trees.InstallTree);
            var expectedPhase = phase == "make" ? "pre_build" : "install";
            var end = DateTime.UtcNow.AddSeconds(60);
            while (!(await JobsAsync()).Any(j => j.GetProperty("state").GetString() == "running"
                                             && j.GetProperty("phases").EnumerateArray().Last().GetProperty("name").GetString() == expectedPhase))
            {
                Assert.True(DateTime.UtcNow < end, "the job never reached " + expectedPhase);
                await Task.Delay(100);
            }

            await Task.Delay(500);
            daemon.Kill();
            await daemon.WaitForExitAsync();
        }

        await using var restarted = await StartAsync();
        await WaitForStatusAsync(Installed("hello-dkms/1.0"));

        Assert.Contains((await JobsAsync()), j => j.GetProperty("state").GetString() == "interrupted");
        Assert.Empty(Directory.EnumerateFiles(_trees.InstallTree, "*.dkms-tmp-*", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(_trees.DkmsTree, "hello-dkms", "1.0", "build")));
        Assert.Empty(Directory.EnumerateDirectories(Path.Combine(_trees.DkmsTree, "hello-dkms", "1.0"), ".tmp_*", SearchOption.AllDirectories));
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_trees.InstallTree, Kernel), "hello_dkms.ko*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task InotifyOverflow_FullRescanFindsWhatTheEventsLost()
    {
        _trees.ExampleModule();
        await AddOfflineAsync("hello-dkms/1.0");
        await using var daemon = await StartAsync("--reconcile-interval", "00:00:00");
        await Task.Delay(1000);

        // Stopped, the daemon reads no events: flood the watched source tree past the kernel's queue
        // (max_queued_events, 16384 here), then make the change that matters.
        Processes.Signal(daemon.Pid, "STOP");
        try
        {
            var flood = Path.Combine(_trees.SourceTree, "flood");
            for (var i = 0; i < 12000; i++)
            {
                File.WriteAllText(flood, string.Empty);
                File.Delete(flood);
            }

            KernelHeaders.LinkInto(_trees.InstallTree);
        }
        finally
        {
            Processes.Signal(daemon.Pid, "CONT");
        }

        await WaitForStatusAsync(Installed("hello-dkms/1.0"));
        Assert.Contains("a full rescan follows", daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KernelDirectoryRemoved_ItsEntriesCleanedAsKernelPrerm()
    {
        _trees.ExampleModule();
        await AddOfflineAsync("hello-dkms/1.0");
        KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartAsync();
        await WaitForStatusAsync(Installed("hello-dkms/1.0"));

        Directory.Delete(Path.Combine(_trees.InstallTree, Kernel), recursive: true);

        await WaitForStatusAsync("hello-dkms/1.0: added\n");
        Assert.False(Directory.Exists(Path.Combine(_trees.DkmsTree, "hello-dkms", "1.0", Kernel)));
    }

    [Fact]
    public async Task KernelHooks_PostinstWaitsForTheModules_KernelInstallRemoveCleans()
    {
        _trees.ExampleModule();
        await AddOfflineAsync("hello-dkms/1.0");
        KernelHeaders.LinkInto(_trees.InstallTree);
        await using var daemon = await StartAsync("--no-automation");
        var env = new Dictionary<string, string> { ["DKMSCTL"] = DaemonCtl.Binary, ["DKMSD_SOCKET"] = _trees.Socket, ["DKMSCTL_OFFLINE"] = string.Empty, ["DKMS_INSTALL_TREE"] = _trees.InstallTree };
        var hooks = Path.Combine(Processes.RepositoryRoot, "systemd");

        var postinst = await Processes.RunAsync(Path.Combine(hooks, "kernel", "postinst"), [Kernel, "/boot/vmlinuz-" + Kernel], env);

        Assert.True(postinst.ExitCode == 0, postinst.ToString());
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_trees.InstallTree, Kernel), "hello_dkms.ko*", SearchOption.AllDirectories));
        Assert.Equal(Installed("hello-dkms/1.0"), (await CtlAsync("status")).Stdout);

        var remove = await Processes.RunAsync(Path.Combine(hooks, "kernel-install.d", "40-dkmsd.install"), ["remove", Kernel], env);

        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal("hello-dkms/1.0: added\n", (await CtlAsync("status")).Stdout);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
    }
}
