using System.Text.Json;
using Dkms.Cli.Tests.Infrastructure;
using Dkms.Tests.Shared;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// Build once, install everywhere, against the real docker-registry: machine B (another tree, artifact_role=pull) installs
/// machine A's build without make; every way the registry can be down or wrong means a local build, never an unverified module.
/// </summary>
public sealed partial class ArtifactTests(ArtifactFleet fleet) : IClassFixture<ArtifactFleet>, IDisposable
{
    private readonly TestTrees _b = new();

    /// <summary>The fixture, for the other parts of this class.</summary>
    private ArtifactFleet Fleet => fleet;

    [Fact]
    public async Task Install_KeyInRegistry_PulledVerifiedAndInstalledWithoutMake()
    {
        await fleet.WriteConfAsync(_b, fleet.Registry.Url, "pull");

        var r = await RunWithoutMakeAsync();

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(File.Exists(MakeMarker), "make ran on machine B");
        Assert.Contains("signature verified (no make)", r.Stderr, StringComparison.Ordinal);
        Assert.Equal((fleet.Key, "pulled"), await ArtifactFleet.StatusAsync(_b));
        Assert.Equal(fleet.BuilderTar, await File.ReadAllBytesAsync(Path.Combine(_b.DkmsTree, ".artifacts", fleet.Key, "artifact.tar")));
        Assert.True(File.Exists(Path.Combine(_b.UpdatesDir, ArtifactFleet.ModuleName + ".ko")), r.ToString());
        var log = await File.ReadAllTextAsync(Path.Combine(_b.BuiltDir(ArtifactFleet.ModuleName, "1.0"), "log", "make.log"));
        Assert.Contains($"DKMS make.log for {ArtifactFleet.ModuleName}-1.0", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_AfterUnbuild_LocalCacheAnswersWithoutMake()
    {
        var mod = _b.Module(ArtifactFleet.ModuleName);
        Assert.Equal(0, (await _b.RunAsync("install", "-k", _b.Kernel, mod.Dir)).ExitCode);
        var (key, origin) = await ArtifactFleet.StatusAsync(_b);
        Assert.Equal("built", origin);
        Assert.Equal(fleet.Key, key); // another tree, the same inputs: the same key
        Assert.Equal(0, (await _b.RunAsync("uninstall", ArtifactFleet.ModuleName + "/1.0", "-k", _b.Kernel)).ExitCode);
        Assert.Equal(0, (await _b.RunAsync("unbuild", ArtifactFleet.ModuleName + "/1.0", "-k", _b.Kernel)).ExitCode);

        var r = await RunWithoutMakeAsync("install", ArtifactFleet.ModuleName + "/1.0");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.False(File.Exists(MakeMarker), "make ran again for unchanged inputs");
        Assert.Equal((fleet.Key, "cached"), await ArtifactFleet.StatusAsync(_b));
    }

    [Fact]
    public async Task Install_SourceChanged_NewKeyBuildsLocally()
    {
        await fleet.WriteConfAsync(_b, fleet.Registry.Url, "pull");
        _b.Module(ArtifactFleet.ModuleName).CSource(ArtifactFleet.ModuleName, "1.0", "/* changed */");

        var r = await _b.RunAsync("install", "-k", _b.Kernel, Path.Combine(_b.Packages, ArtifactFleet.ModuleName + "-1.0"));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("building here", r.Stderr, StringComparison.Ordinal);
        var (key, origin) = await ArtifactFleet.StatusAsync(_b);
        Assert.NotEqual(fleet.Key, key);
        Assert.Equal("built", origin);
    }

    /// <summary>Each fault and the reason its job line gives.</summary>
    public static TheoryData<string, string> Faults() => new()
    {
        { "down", "cannot be reached" },
        { "503", "answered 503" },
        { "silent", "no answer in time: artifact_timeout is 2 s a request" },
        { "truncated-layer", "is served at" },
        { "swapped-layer", "does not hash to it" },
        { "tampered-manifest", "has no signature" },
        { "retargeted-tag", "is not the dkmsd artifact" },
        { "unsigned", "has no signature" },
        { "other-key", "has no valid signature by" },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Install_RegistryDownOrWrong_BuildsLocallyNeverInstallsUnverified(string fault, string reason)
    {
        using var copy = await TamperedRegistryAsync(fault);
        using var faulty = fault is "503" or "silent" ? new FaultyServer(answer503: fault == "503") : null;
        var url = fault switch
        {
            "down" => $"http://127.0.0.1:{FreePort()}/dkms",
            "503" or "silent" => faulty!.Url,
            _ => copy.Url,
        };
        // 2 s a request for the silent one (its bound); 5 s for the rest, room for the retries of a 503 (0.5 s, then 1 s).
        await fleet.WriteConfAsync(_b, url, "pull", verifyKey: fault == "other-key" ? fleet.OtherKey : null, timeout: fault == "silent" ? "2" : "5");

        var r = await _b.RunAsync("install", "-k", _b.Kernel, _b.Module(ArtifactFleet.ModuleName).Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("building here", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("no make", r.Stderr, StringComparison.Ordinal);
        Assert.Equal((fleet.Key, "built"), await ArtifactFleet.StatusAsync(_b));
        var log = await File.ReadAllTextAsync(Path.Combine(_b.BuiltDir(ArtifactFleet.ModuleName, "1.0"), "log", "make.log"));
        Assert.Contains("make", log, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_b.UpdatesDir, ArtifactFleet.ModuleName + ".ko")), r.ToString());
    }

    [Fact]
    public async Task Push_TwoBuildersRacingOneKey_LeaveOneGoodArtifact()
    {
        using var registry = await RegistryServer.StartAsync(Path.Combine(_b.Root, "race-registry"));
        using var a1 = new TestTrees();
        using var a2 = new TestTrees();
        await fleet.WriteConfAsync(a1, registry.Url, "push");
        await fleet.WriteConfAsync(a2, registry.Url, "push");

        var results = await Task.WhenAll(
            a1.RunAsync("install", "-k", a1.Kernel, a1.Module(ArtifactFleet.ModuleName).Dir),
            a2.RunAsync("install", "-k", a2.Kernel, a2.Module(ArtifactFleet.ModuleName).Dir));

        Assert.All(results, r => Assert.True(r.ExitCode == 0 && r.Stderr.Contains("pushed sha256:", StringComparison.Ordinal), r.ToString()));
        await fleet.WriteConfAsync(_b, registry.Url, "pull");
        var pulled = await RunWithoutMakeAsync();
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.False(File.Exists(MakeMarker), "make ran although a builder pushed the key");
        Assert.Equal((fleet.Key, "pulled"), await ArtifactFleet.StatusAsync(_b));
        var tar = await File.ReadAllBytesAsync(Path.Combine(_b.DkmsTree, ".artifacts", fleet.Key, "artifact.tar"));
        Assert.Contains(new[] { a1, a2 }, a => File.ReadAllBytes(Path.Combine(a.DkmsTree, ".artifacts", fleet.Key, "artifact.tar")).AsSpan().SequenceEqual(tar));
    }

    [Fact]
    public async Task Preflight_KernelNotInstalled_SaysCachedBuildableFailingThenInstallUsesTheCache()
    {
        // Headers given as a path (--kernelsourcedir): the kernel's build link is not in the install tree yet.
        var kernel = _b.Kernel;
        File.Delete(Path.Combine(_b.KernelDir, "build"));
        await fleet.WriteConfAsync(_b, fleet.Registry.Url, "pull");
        _b.Module(ArtifactFleet.ModuleName);
        _b.Module("fresh");
        _b.Module("broken").CSource("broken", "1.0", "this is not C;");
        foreach (var m in new[] { ArtifactFleet.ModuleName, "fresh", "broken" })
        {
            Assert.Equal(0, (await _b.RunAsync("add", Path.Combine(_b.Packages, m + "-1.0"))).ExitCode);
        }

        var r = await _b.RunAsync("preflight", "-k", kernel, "--kernelsourcedir", KernelHeaders.Dir);

        Assert.True(r.ExitCode == 1, r.ToString()); // one module would fail
        Assert.Contains("fresh/1.0: buildable", r.Stdout + "\n" + r, StringComparison.Ordinal);
        Assert.Contains($"{ArtifactFleet.ModuleName}/1.0: cached [key ", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("(pulled from the registry)", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("fresh/1.0: buildable", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("broken/1.0: failing", r.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_b.DkmsTree, "fresh", "1.0", kernel)), "preflight built into the real tree");
        Assert.Empty(Directory.EnumerateDirectories(_b.DkmsTree, ".preflight-*"));

        // The dry build's result is what the real build of that kernel uses: no make.
        var again = await _b.RunAsync("preflight", "-k", kernel, "--kernelsourcedir", KernelHeaders.Dir, "--json");
        using var doc = JsonDocument.Parse(again.Stdout);
        var fresh = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("module").GetString() == "fresh");
        Assert.Equal("cached", fresh.GetProperty("verdict").GetString());
    }

    public void Dispose() => _b.Dispose();

    private string MakeMarker => Path.Combine(_b.Root, "make-ran");

    /// <summary>Runs dkmsctl on B with a <c>make</c> first on PATH that leaves a marker and fails: any build would show.</summary>
    private async Task<CliResult> RunWithoutMakeAsync(params string[] args)
    {
        var bin = Path.Combine(_b.Root, "fake-bin");
        Directory.CreateDirectory(bin);
        var make = Path.Combine(bin, "make");
        await File.WriteAllTextAsync(make, $"#!/bin/sh\necho \"$@\" >> '{MakeMarker}'\nexit 2\n");
        File.SetUnixFileMode(make, (UnixFileMode)Convert.ToInt32("755", 8));
        var env = new Dictionary<string, string> { ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH") };
        string[] command = args.Length > 0
            ? [.. args, "-k", _b.Kernel]
            : ["install", "-k", _b.Kernel, _b.Module(ArtifactFleet.ModuleName).Dir];
        return await _b.RunWithEnvAsync(env, command);
    }

    /// <summary>A registry serving a copy of A's storage, with <paramref name="fault"/> made on its disk.</summary>
    private async Task<RegistryServer> TamperedRegistryAsync(string fault)
    {
        var storage = Path.Combine(_b.Root, "registry-copy");
        CopyDirectory(fleet.Registry.Storage, storage);
        var registry = await RegistryServer.StartAsync(storage);
        var keyTag = "k1-" + fleet.Key;
        var manifestDigest = registry.TagTarget(fleet.Repo, keyTag);
        var manifestFile = registry.BlobData(manifestDigest);
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(manifestFile));
        var layer = registry.BlobData(manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!);
        switch (fault)
        {
            case "truncated-layer":
                await using (var f = new FileStream(layer, FileMode.Open))
                {
                    f.SetLength(f.Length / 2);
                }

                break;
            case "swapped-layer":
                var bytes = await File.ReadAllBytesAsync(layer);
                bytes[bytes.Length / 3] ^= 0x5a;
                await File.WriteAllBytesAsync(layer, bytes);
                break;
            case "tampered-manifest":
                var text = await File.ReadAllTextAsync(manifestFile);
                await File.WriteAllTextAsync(manifestFile, text.Replace("\"dev.dkmsd.arch\"", "\"dev.dkmsd.Arch\"", StringComparison.Ordinal));
                break;
            case "retargeted-tag":
                // The key's tag names another valid manifest of the repository (the signature's).
                var referrers = registry.TagTarget(fleet.Repo, "sha256-" + manifestDigest["sha256:".Length..]);
                using (var index = JsonDocument.Parse(await File.ReadAllBytesAsync(registry.BlobData(referrers))))
                {
                    var signature = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
                    await File.WriteAllTextAsync(Path.Combine(registry.TagDir(fleet.Repo, keyTag), "current", "link"), signature);
                }
                break;
            case "unsigned":
                Directory.Delete(registry.TagDir(fleet.Repo, "sha256-" + manifestDigest["sha256:".Length..]), recursive: true);
                break;
        }

        return registry;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
