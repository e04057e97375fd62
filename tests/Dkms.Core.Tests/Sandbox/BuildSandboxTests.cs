using System.Net;
using System.Net.Sockets;
using Dkms.Core.Platform;
using Dkms.Core.Processes;
using Dkms.Core.Sandbox;

namespace Dkms.Core.Tests.Sandbox;

/// <summary>
/// Package code in the real bubblewrap sandbox: what a hostile build tries, and what it gets. Everything it could
/// reach lives in this test's temporary directory (a world-writable "outside" directory proves the read-only view
/// without going near the machine's own /etc).
/// </summary>
public sealed class BuildSandboxTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly BuildSandbox _sandbox;

    public BuildSandboxTests()
    {
        File.SetUnixFileMode(_dir.Path, (UnixFileMode)Convert.ToInt32("755", 8)); // the build user walks to its build directory
        _sandbox = BuildSandbox.ForThisProcess(BuildUser.Resolve("dkmsd-no-such-user"))
            ?? throw new InvalidOperationException("bubblewrap is not installed (scripts/prerequisites installs it)");
    }

    public void Dispose() => _dir.Dispose();

    private string Build => Directory.CreateDirectory(Path.Combine(_dir.Path, "tree", "hello", "1.0", "build")).FullName;

    private SandboxView View => new()
    {
        Writable = [Build],
        HiddenDirectories = [Path.Combine(_dir.Path, "tree")],
        HiddenFiles = [Path.Combine(_dir.Path, "mok.key")],
    };

    private async Task<ProcessResult> RunAsync(string script, TimeSpan? timeout = null)
    {
        // Bounded even when the test expects an end of its own: a sandbox that outlives its step fails, never hangs.
        var spec = _sandbox.Wrap(new ProcessSpec("bash", ["-c", script])
        {
            WorkingDirectory = Build,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
            MergeStderr = true,
        }, View);
        using (_sandbox.Lend(Build))
        {
            return await ProcessRunner.Default.RunAsync(spec);
        }
    }

    [Fact]
    public async Task Probe_BubblewrapWorksHere()
    {
        Assert.Null(await _sandbox.ProbeAsync());
        Assert.NotNull(_sandbox.DropTo); // the tests run as root: the sandbox drops to the build user
    }

    [Fact]
    public async Task Step_StartedFromAThreadThatEnds_RunsToItsEnd()
    {
        // bubblewrap's --die-with-parent is a parent-death signal, sent when the *thread* that forked bwrap ends. The
        // runner's callers are thread-pool threads, which the pool retires when idle: a long make was SIGKILLed (137).
        var spec = _sandbox.Wrap(new ProcessSpec("sleep", ["2"]) { WorkingDirectory = Build, Timeout = TimeSpan.FromSeconds(60) }, View);
        Task<ProcessResult>? run = null;
        var starter = new Thread(() =>
        {
            run = ProcessRunner.Default.RunAsync(spec);
            Thread.Sleep(500); // bubblewrap has set its parent-death signal by now; then this thread ends
        });

        starter.Start();
        starter.Join();
        var result = await run!.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
    }

    [Fact]
    public async Task Unreachable_ParentTheBuildUserCannotEnter_NamesItAndBubblewrapIndeedFails()
    {
        var closed = Directory.CreateDirectory(Path.Combine(_dir.Path, "private")).FullName;
        var build = Directory.CreateDirectory(Path.Combine(closed, "tree", "m", "1", "build")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // 0700, root's
        var step = new ProcessSpec("true", []) { WorkingDirectory = build, Timeout = TimeSpan.FromSeconds(60), MergeStderr = true };
        var view = new SandboxView { Writable = [build] };

        var why = _sandbox.Unreachable(step, view);
        using (_sandbox.Lend(build))
        {
            var ran = await ProcessRunner.Default.RunAsync(_sandbox.Wrap(step, view));
            Assert.NotEqual(0, ran.ExitCode); // what the check spares the user: bubblewrap's own failure
        }

        Assert.NotNull(why);
        Assert.Contains($"cannot reach {build}: {closed} (mode 0700, owner uid 0)", why[0], StringComparison.Ordinal);
        Assert.Contains("build_sandbox=\"none\"", why[^1], StringComparison.Ordinal);
    }

    // upstream's run_test.sh keeps its MOK pair in a mktemp -d directory (0700, root's): nothing to hide, nothing refused.
    [Fact]
    public async Task HiddenFile_BehindADirectoryTheBuildUserCannotEnter_NotCoveredStepRuns()
    {
        var closed = Directory.CreateDirectory(Path.Combine(_dir.Path, "keys")).FullName;
        File.SetUnixFileMode(closed, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // 0700, root's
        var key = Path.Combine(closed, "private_key");
        await File.WriteAllTextAsync(key, "secret\n");
        var step = new ProcessSpec("true", []) { WorkingDirectory = Build, Timeout = TimeSpan.FromSeconds(60), MergeStderr = true };
        var view = View with { HiddenFiles = [key] };

        Assert.Null(_sandbox.Unreachable(step, view));
        using (_sandbox.Lend(Build))
        {
            var ran = await ProcessRunner.Default.RunAsync(_sandbox.Wrap(step, view));
            Assert.True(ran.ExitCode == 0, ran.Stdout + ran.Stderr);
        }
    }

    [Fact]
    public void Unreachable_EveryDirectoryOnTheWayOpen_IsNull()
    {
        Assert.Null(_sandbox.Unreachable(new ProcessSpec("true", []) { WorkingDirectory = Build }, View));
    }

    [Fact]
    public async Task HostileStep_GetsNoRootNoWritesOutsideItsBuildDirNoSecretsNoNetwork()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_dir.Path, "outside")).FullName;
        File.SetUnixFileMode(outside, (UnixFileMode)Convert.ToInt32("777", 8));
        var secret = _dir.Write("secret", "root only\n");
        File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _dir.Write("mok.key", "PRIVATE KEY\n");
        _dir.Write("tree/other/1.0/source/dkms.conf", "another module\n");
        _dir.Write("hosttmp-marker", "readable by anyone, outside the sandbox's /tmp\n");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var r = await RunAsync($$"""
            echo "uid=$(id -u)"
            { echo x > {{outside}}/x; } 2>/dev/null && echo "wrote outside" || echo "outside read-only"
            cat {{secret}} 2>/dev/null || echo "secret unreadable"
            cat {{_dir.Path}}/mok.key 2>/dev/null | grep -q PRIVATE && echo "key read" || echo "key hidden"
            cat {{_dir.Path}}/tree/other/1.0/source/dkms.conf 2>/dev/null || echo "tree hidden"
            (exec 3<>/dev/tcp/127.0.0.1/{{port}}) 2>/dev/null && echo "connected" || echo "no network"
            { echo built > module.ko; } 2>/dev/null && echo "build dir writable"
            cat {{_dir.Path}}/hosttmp-marker >/dev/null 2>&1 && echo "host /tmp seen" || echo "private /tmp"
            echo "limits $(ulimit -Hu) $(ulimit -Hn) $(ulimit -Hc)"
            """);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            $"uid={_sandbox.DropTo!.Uid}\noutside read-only\nsecret unreadable\nkey hidden\ntree hidden\nno network\nbuild dir writable\n"
            + $"private /tmp\nlimits {BuildSandbox.MaxProcesses} {BuildSandbox.MaxOpenFiles} 0\n",
            r.Stdout);
        Assert.False(File.Exists(Path.Combine(outside, "x")));
        Assert.Equal("built\n", File.ReadAllText(Path.Combine(Build, "module.ko")));
        Assert.Equal((0u, 0u), FileOwnership.Of(Path.Combine(Build, "module.ko")) is { } o ? (o.Uid, o.Gid) : default); // given back to root
    }

    [Fact]
    public async Task EscapedProcess_DiesWithTheStep()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}.5";
        var r = await RunAsync($"setsid sleep {marker} </dev/null >/dev/null 2>&1 & disown; echo started");

        Assert.False(r.TimedOut, "the sandbox outlived its step");
        Assert.Equal("started\n", r.Stdout);
        Assert.Empty(await SurvivorsAsync(marker));
    }

    [Fact]
    public async Task TimedOutStep_TakesEverythingWithIt()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}.25";
        var r = await RunAsync($"setsid sleep {marker} & sleep {marker}", TimeSpan.FromSeconds(2));

        Assert.True(r.TimedOut);
        Assert.Empty(await SurvivorsAsync(marker));
    }

    [Fact]
    public void Lend_NeverFollowsALinkOutOfTheDirectory()
    {
        var target = _dir.Write("target", "root's\n");
        File.CreateSymbolicLink(Path.Combine(Build, "link"), target);
        Directory.CreateSymbolicLink(Path.Combine(Build, "dirlink"), _dir.Path);

        using (_sandbox.Lend(Build))
        {
            Assert.Equal(_sandbox.DropTo!.Uid, FileOwnership.Of(Build)!.Value.Uid);
            Assert.Equal(0u, FileOwnership.Of(target)!.Value.Uid); // the link was changed, not what it points to
            Assert.Equal(0u, FileOwnership.Of(_dir.Path)!.Value.Uid);
        }

        Assert.Equal(0u, FileOwnership.Of(Build)!.Value.Uid);
    }

    [Fact]
    public void Wrap_CleanEnvironment_OnlyWhatTheStepIsGiven()
    {
        var spec = _sandbox.Wrap(new ProcessSpec("make", ["-j2"]) { ExtraEnvironment = new Dictionary<string, string> { ["kernelver"] = "6.1.0-1-amd64" } }, View);

        var args = spec.Arguments.ToList();
        var bwrap = args.IndexOf(_sandbox.Bwrap);
        Assert.Equal("setpriv", spec.FileName);
        Assert.Contains("--clearenv", args);
        Assert.Equal(["--setenv", "kernelver", "6.1.0-1-amd64"], args.Skip(args.IndexOf("kernelver") - 1).Take(3));
        Assert.DoesNotContain("DOTNET_ROOT", args); // nothing of this process's environment but the few listed
        Assert.Equal(["--", "make", "-j2"], args.TakeLast(3));
        Assert.True(bwrap > 0 && args.IndexOf("--bind") > bwrap);
        Assert.Null(spec.Environment);
        Assert.Null(spec.ExtraEnvironment);
    }

    /// <summary>Processes still running with <paramref name="marker"/> after the kernel had a moment to end the namespace.</summary>
    private static async Task<List<string>> SurvivorsAsync(string marker)
    {
        for (var i = 0; i < 50 && Survivors(marker).Count > 0; i++)
        {
            await Task.Delay(100);
        }

        return Survivors(marker);
    }

    private static List<string> Survivors(string marker) =>
        [.. Directory.EnumerateDirectories("/proc").Select(p => Path.Combine(p, "cmdline"))
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return string.Empty; } catch (UnauthorizedAccessException) { return string.Empty; } })
            .Where(c => c.Contains(marker, StringComparison.Ordinal))];
}
