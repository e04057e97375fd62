using System.Security.Cryptography;
using System.Text.Json;
using Dkms.Daemon.Tests.Infrastructure;
using Dkms.Tests.Shared;

namespace Dkms.Daemon.Tests.Integration;

/// <summary>
/// Issue 17 through dkmsd: machine A's dkmsd builds and pushes to the real docker-registry, machine B's dkmsd pulls,
/// verifies and installs without make; both jobs carry the content key and say built or pulled.
/// </summary>
public sealed class ArtifactDaemonTests : IDisposable
{
    private readonly DaemonTrees _a = new();
    private readonly DaemonTrees _b = new();
    private readonly string _keys = Directory.CreateTempSubdirectory("dkmsd-keys-").FullName;

    [Fact]
    public async Task Install_ThroughDkmsd_BuilderPushesClientPullsWithoutMake()
    {
        var pem = Path.Combine(_keys, "builder.pem");
        var pub = Path.Combine(_keys, "builder.pub");
        using (var builder = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(pem, builder.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(pub, builder.ExportSubjectPublicKeyInfoPem());
        }

        using var registry = await RegistryServer.StartAsync(Path.Combine(_a.Root, "registry"));
        var common = $"artifact_registry=\"{registry.Url}\"\nartifact_verify_key=\"{pub}\"\n";
        await File.WriteAllTextAsync(_a.FrameworkConf, common + $"artifact_role=push\nartifact_signing_key=\"{pem}\"\n");
        await File.WriteAllTextAsync(_b.FrameworkConf, common + "artifact_role=pull\n");
        var kernel = KernelHeaders.LinkInto(_a.InstallTree);
        KernelHeaders.LinkInto(_b.InstallTree);
        _a.ExampleModule();
        _b.ExampleModule();

        var builtJob = await InstallThroughDaemonAsync(_a, kernel);
        var pulledJob = await InstallThroughDaemonAsync(_b, kernel);

        Assert.Equal("built", builtJob.GetProperty("artifact_origin").GetString());
        Assert.Equal("pulled", pulledJob.GetProperty("artifact_origin").GetString());
        var key = builtJob.GetProperty("content_key").GetString();
        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Equal(key, pulledJob.GetProperty("content_key").GetString());
        var phases = pulledJob.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("pulled", phases);
        Assert.DoesNotContain("make", phases);
        Assert.Contains("make", builtJob.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Install_ThroughDkmsd_RegistryDown_BuiltWithTheRegistrysLineInTheJob()
    {
        var pub = Path.Combine(_keys, "builder.pub");
        using (var builder = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(pub, builder.ExportSubjectPublicKeyInfoPem());
        }

        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/dkms";
        listener.Stop(); // nothing listens there now
        await File.WriteAllTextAsync(_b.FrameworkConf, $"artifact_registry=\"{url}\"\nartifact_verify_key=\"{pub}\"\nartifact_timeout=5\n");
        var kernel = KernelHeaders.LinkInto(_b.InstallTree);
        _b.ExampleModule();

        var job = await InstallThroughDaemonAsync(_b, kernel);

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal("built", job.GetProperty("artifact_origin").GetString());
        Assert.Contains("make", job.GetProperty("phases").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        await using var daemon = DkmsdProcess.Start([.. _b.DaemonArgs, "--no-automation"]);
        await daemon.WaitForSocketAsync(_b.Socket);
        var log = await DaemonCtl.RunAsync(_b.Socket, "logs", job.GetProperty("id").GetString()!);
        Assert.Matches($@"Content key [0-9a-f]{{16}}: the registry {url} is unusable \(The registry 127\.0\.0\.1:\d+ cannot be reached: [^\n]+\); building here\.",
            log.Stdout + log.Stderr);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        Directory.Delete(_keys, recursive: true);
    }

    /// <summary>Adds and installs the example module through <paramref name="t"/>'s own dkmsd; returns the job that built it (jobs --json).</summary>
    private static async Task<JsonElement> InstallThroughDaemonAsync(DaemonTrees t, string kernel)
    {
        await using var daemon = DkmsdProcess.Start([.. t.DaemonArgs, "--no-automation"]);
        await daemon.WaitForSocketAsync(t.Socket);
        Assert.Equal(0, (await DaemonCtl.RunAsync(t.Socket, "add", "hello-dkms/1.0")).ExitCode);
        var install = await DaemonCtl.RunAsync(t.Socket, "install", "hello-dkms/1.0", "-k", kernel);
        Assert.True(install.ExitCode == 0, install.ToString());
        var status = JsonDocument.Parse((await DaemonCtl.RunAsync(t.Socket, "status", "--json")).Stdout).RootElement;
        Assert.Contains(status.EnumerateArray(), e => e.TryGetProperty("content_key", out _) && e.GetProperty("state").GetString() == "installed");
        var jobs = JsonDocument.Parse((await DaemonCtl.RunAsync(t.Socket, "jobs", "--json")).Stdout).RootElement;
        return jobs.EnumerateArray().Single(j => j.TryGetProperty("content_key", out _)).Clone();
    }
}
