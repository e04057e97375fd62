using System.Text.RegularExpressions;
using Dkms.Daemon.Tests.Infrastructure;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// <c>--debug</c>: every program a command runs is traced on stderr (where, with what, how it ended), the same through
/// dkmsd as in-process, with a real build.
/// </summary>
public sealed partial class DebugTraceTests : IDisposable
{
    private readonly DaemonTrees _trees = new();
    private readonly DaemonTrees _offline = new();

    public void Dispose()
    {
        _trees.Dispose();
        _offline.Dispose();
    }

    [Fact]
    public async Task Build_Debug_TracesMakeThroughDaemonAndInProcess()
    {
        var kernel = KernelHeaders.LinkInto(_trees.InstallTree);
        KernelHeaders.LinkInto(_offline.InstallTree);
        _trees.ExampleModule();
        _offline.ExampleModule();
        await using var daemon = DkmsdProcess.Start([.. _trees.DaemonArgs, "--no-automation"]);
        await daemon.WaitForSocketAsync(_trees.Socket);
        Assert.Equal(0, (await DaemonCtl.RunAsync(_trees.Socket, ["add", "hello-dkms/1.0"])).ExitCode);
        Assert.Equal(0, (await DaemonCtl.RunRawAsync(null, [.. _offline.TreeArgs, "--offline", "add", "hello-dkms/1.0"])).ExitCode);

        var remote = await DaemonCtl.RunAsync(_trees.Socket, ["--debug", "build", "hello-dkms/1.0", "-k", kernel]);
        var local = await DaemonCtl.RunRawAsync(null, [.. _offline.TreeArgs, "--offline", "--debug", "build", "hello-dkms/1.0", "-k", kernel]);

        foreach (var (r, root) in new[] { (remote, _trees.Root), (local, _offline.Root) })
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            var trace = r.Stderr.Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToList();
            // make as the package's step (not the sandbox's wrapping), in the module's build directory, its output
            // appended to make.log, and how it ended; dkmsd's own programs (sign-file) unmarked.
            Assert.Contains(trace, l => l.StartsWith($"+ [sandboxed] [in {root}/dkms/hello-dkms/1.0/build] ", StringComparison.Ordinal)
                && l.Contains("bash -c 'make ", StringComparison.Ordinal) && l.Contains($"KERNELRELEASE={kernel}", StringComparison.Ordinal)
                && l.EndsWith($">> {root}/dkms/hello-dkms/1.0/build/make.log", StringComparison.Ordinal));
            Assert.Contains(trace, l => EndOfMake().IsMatch(l));
            Assert.Contains(trace, l => l.Contains("/scripts/sign-file sha256 ", StringComparison.Ordinal));
            Assert.DoesNotContain(trace, l => l.Contains("bwrap", StringComparison.Ordinal));
            Assert.DoesNotContain("+ ", r.Stdout, StringComparison.Ordinal); // stdout stays dkms's own lines
        }

        var plain = await DaemonCtl.RunAsync(_trees.Socket, ["build", "hello-dkms/1.0", "-k", kernel, "--force"]);
        Assert.DoesNotContain(plain.Stderr.Split('\n'), l => l.StartsWith("+ ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\+ bash: exit 0 after [0-9]+\.[0-9]{3} s$")]
    private static partial Regex EndOfMake();
}
