using System.Diagnostics;
using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>What one unprivileged user can make dkmsd spend: request size, request width, connections.</summary>
public sealed class LimitsIntegrationTests : IDisposable
{
    private readonly DaemonTrees _trees = new();

    public void Dispose() => _trees.Dispose();

    private async Task<DkmsdProcess> StartAsync()
    {
        var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, "--no-automation"]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        return daemon;
    }

    [Theory]
    [InlineData("HugeStatus", "ResourceExhausted")]
    [InlineData("WideStatus", "InvalidArgument")]
    public async Task Unprivileged_OversizedOrTooWideStatus_RefusedBeforeAnyWork(string method, string status)
    {
        await using var daemon = await StartAsync();

        var r = await AsNobodyAsync([method]);

        Assert.StartsWith(status, r.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Grpc.AspNetCore", daemon.Output, StringComparison.Ordinal); // refused at the edge: nothing logged, no stack trace
    }

    [Fact]
    public async Task Unprivileged_MalformedRequests_InvalidArgument_OneJournalLineWithoutStackTrace()
    {
        await using var daemon = await StartAsync();

        var r = await AsNobodyAsync(["Malformed"]);
        var status = await DaemonCtl.RunAsync(_trees.Socket, "status"); // still answering, and well-formed calls still pass the check

        Assert.Equal("InvalidArgument InvalidArgument InvalidArgument", r.Stdout.Trim()); // 20 unary calls, a streaming one, reflection
        Assert.True(status.ExitCode == 0, status.ToString());
        var lines = daemon.Output.Split('\n');
        Assert.Single(lines, l => l.Contains("Refused a malformed request to /dkms.v1.Dkms/Status from uid 65534", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("malformed request", StringComparison.Ordinal) && !l.Contains("/dkms.v1.Dkms/Status", StringComparison.Ordinal));
        Assert.DoesNotContain("Grpc.AspNetCore", daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidProtocolBufferException", daemon.Output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Unprivileged_Reads_FollowTheTreesPermissions_AndNeverShowWhoAsked()
    {
        _trees.SourceModule("secret", "1.0");
        await using var daemon = await StartAsync();
        var add = await DaemonCtl.RunAsync(_trees.Socket, "add", "-m", "secret", "-v", "1.0"); // a job asked for by root
        Assert.True(add.ExitCode == 0, add.ToString());
        var asRoot = await AsRootAsync(["Jobs"]);
        Assert.StartsWith("jobs=1 requested_by=1 first=", asRoot.Stdout, StringComparison.Ordinal);
        var id = asRoot.Stdout.Trim().Split("first=")[1];

        // The tree as Debian's dkms leaves it (0755): its jobs are seen, not who asked for them.
        Assert.Equal($"jobs=1 requested_by=0 first={id}", (await AsNobodyAsync(["Jobs"])).Stdout.Trim());
        Assert.Matches("^job; log lines=[1-9][0-9]*$", (await AsNobodyAsync(["Job", id])).Stdout.Trim());
        Assert.Equal("OK lines=1", (await AsNobodyAsync(["Status"])).Stdout.Trim()); // secret/1.0: added

        // A tree closed to others (0700): nothing of it, as `ls` would show; the job's id tells nothing either.
        File.SetUnixFileMode(_trees.DkmsTree, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal("jobs=0 requested_by=0 first=-", (await AsNobodyAsync(["Jobs"])).Stdout.Trim());
        Assert.Equal("NotFound; NotFound", (await AsNobodyAsync(["Job", id])).Stdout.Trim());
        Assert.Equal("OK lines=0", (await AsNobodyAsync(["Status"])).Stdout.Trim());
        Assert.Equal("OK lines=1", (await AsRootAsync(["Status"])).Stdout.Trim());
        Assert.Matches("^job by 0; log lines=[1-9][0-9]*$", (await AsRootAsync(["Job", id])).Stdout.Trim()); // root still sees all
    }

    [Fact]
    public async Task Unprivileged_ConnectionFlood_CappedPerUser_IdleOnesClosed_RootStillAnswered()
    {
        await using var daemon = await StartAsync();

        var hold = AsNobodyAsync(["Hold", "100", "25"], TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        while (!daemon.Output.Contains("Refusing connections from uid 65534", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        clock.Restart();
        var status = await DaemonCtl.RunAsync(_trees.Socket, "status");
        var rootTook = clock.Elapsed;
        var held = (await hold).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.True(rootTook < TimeSpan.FromSeconds(10), $"root's status took {rootTook} during the flood");
        Assert.Equal("open=32 closed=68", held[0]); // the per-user limit; the rest closed at once
        Assert.Equal("open=0 closed=100", held[1]); // idle connections do not stay
        Assert.Single(daemon.Output.Split('\n'), l => l.Contains("Refusing connections", StringComparison.Ordinal)); // rate-limited
    }

    private async Task<ProcessResult> AsRootAsync(string[] args)
    {
        var r = await Processes.RunAsync(Processes.Binary("dkmsd-testclient"), [_trees.Socket, .. args]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }

    private async Task<ProcessResult> AsNobodyAsync(string[] args, TimeSpan? timeout = null)
    {
        var r = await Processes.RunAsync("setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", Processes.Binary("dkmsd-testclient"), _trees.Socket, .. args],
            new Dictionary<string, string> { ["HOME"] = "/nonexistent", ["DOTNET_CLI_HOME"] = "/tmp" }, timeout);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r;
    }
}
