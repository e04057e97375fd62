using System.Security.Cryptography;
using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Protocol.V1;
using Dkms.Tests.Shared;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// Preflight through dkmsd's Preflight RPC and in-process (<c>dkmsctl --offline</c>) on identical trees: the same lines, the
/// same JSON, the same exit code, for a kernel whose headers are only a path (not linked into the install tree).
/// </summary>
public sealed class PreflightDaemonTests : IDisposable
{
    private static readonly DateTime Deadline = DateTime.UtcNow.AddMinutes(10);

    private readonly DaemonTrees _served = new();
    private readonly DaemonTrees _offline = new();
    private readonly string _keys = Directory.CreateTempSubdirectory("dkmsd-keys-").FullName;

    [Fact]
    public async Task Preflight_ThroughDkmsd_PrintsAndExitsAsInProcess()
    {
        // A pulling host of an empty registry: each module's registry line ("not in ...; building here") is part of the output.
        var pub = Path.Combine(_keys, "builder.pub");
        using (var builder = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(pub, builder.ExportSubjectPublicKeyInfoPem());
        }

        using var registry = await RegistryServer.StartAsync(Path.Combine(_served.Root, "registry"));
        var kernel = KernelHeaders.Kernel;
        foreach (var t in new[] { _served, _offline })
        {
            await File.WriteAllTextAsync(t.FrameworkConf, $"artifact_registry=\"{registry.Url}\"\nartifact_verify_key=\"{pub}\"\nartifact_timeout=5\n");
            Directory.CreateDirectory(Path.Combine(t.InstallTree, kernel)); // the kernel's directory, without its build link
            t.ExampleModule();
            t.ExampleModule("broken-dkms", brokenSource: true);
        }

        await using var daemon = DkmsdProcess.Start([.. _served.DaemonArgs, "--no-automation"]);
        await daemon.WaitForSocketAsync(_served.Socket);
        foreach (var m in new[] { "hello-dkms/1.0", "broken-dkms/1.0" })
        {
            Assert.Equal(0, (await DaemonCtl.RunAsync(_served.Socket, "add", m)).ExitCode);
            Assert.Equal(0, (await _offline.DkmsCtlAsync("add", m)).ExitCode);
        }

        // First: hello buildable (a dry build), broken failing. Then, with --json: hello cached (the dry build's result).
        string[][] steps = [["preflight", "-k", kernel, "--kernelsourcedir", KernelHeaders.Dir], ["preflight", "-k", kernel, "--kernelsourcedir", KernelHeaders.Dir, "--json"]];
        var outputs = new List<string>();
        foreach (var step in steps)
        {
            var remote = await DaemonCtl.RunAsync(_served.Socket, step);
            var local = await _offline.DkmsCtlAsync(step);

            Assert.True(remote.ExitCode == 1 && local.ExitCode == 1, $"{string.Join(' ', step)}: in-process {local}\nthrough dkmsd {remote}");
            Assert.Equal(Normalize(local.Stdout, _offline.Root), Normalize(remote.Stdout, _served.Root));
            Assert.Equal(Normalize(local.Stderr, _offline.Root), Normalize(remote.Stderr, _served.Root));
            Assert.DoesNotContain("running in-process", remote.Stderr, StringComparison.Ordinal);
            outputs.Add(remote.Stdout + remote.Stderr);
        }

        Assert.Contains("hello-dkms/1.0: buildable [key ", outputs[0], StringComparison.Ordinal);
        Assert.Contains("broken-dkms/1.0: failing", outputs[0], StringComparison.Ordinal);
        Assert.Contains($"not in {registry.Url}; building here.", outputs[0], StringComparison.Ordinal);
        Assert.Contains("\"verdict\": \"cached\"", outputs[1], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_served.DkmsTree, "hello-dkms", "1.0", kernel)), "preflight built into the daemon's tree");
        Assert.Empty(Directory.EnumerateDirectories(_served.DkmsTree, ".preflight-*"));

        // The RPC itself: the entries and the engine's lines in one answer.
        using var channel = DkmsdProcess.Channel(_served.Socket);
        var answer = await new Protocol.V1.Dkms.DkmsClient(channel).PreflightAsync(new PreflightRequest
        {
            Kernel = new KernelTarget { Kernel = kernel },
            Options = new ActionOptions { KernelSourceDir = KernelHeaders.Dir },
        }, deadline: Deadline);
        Assert.Contains(answer.Entries, e => e.Module.Name == "hello-dkms" && e.Verdict == PreflightVerdict.Cached && e.ContentKey.Length == 64);
        Assert.Contains(answer.Entries, e => e.Module.Name == "broken-dkms" && e.Verdict == PreflightVerdict.Failing && e.Detail.Length > 0);
        // A locally cached build says so only with --verbose (as a build does); the registry's line for the miss is always there.
        Assert.Contains(answer.Output, l => l.Stream == OutputStream.Stderr && l.Text.Contains($"not in {registry.Url}; building here.", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _served.Dispose();
        _offline.Dispose();
        Directory.Delete(_keys, recursive: true);
    }

    private static string Normalize(string text, string root) => text.Replace(root, "<root>", StringComparison.Ordinal);
}
