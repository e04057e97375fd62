using Dkms.Cli.Tests.Infrastructure;
using Dkms.Tests.Shared;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// The registry's transport against the real docker-registry: htpasswd (Basic) credentials from a docker config.json, https
/// with a CA of the test's own (artifact_ca), and retries of a registry that answers 503 or drops a connection.
/// </summary>
public sealed partial class ArtifactTests
{
    private const string User = "builder";
    private const string Password = "s3cret-pass";

    [Fact]
    public async Task Auth_RightCredentials_BuilderPushesClientPulls()
    {
        using var registry = await RegistryServer.StartAsync(Path.Combine(_b.Root, "auth-registry"),
            htpasswd: RegistrySecrets.Htpasswd(Path.Combine(_b.Root, "htpasswd"), User, Password));
        var host = $"127.0.0.1:{registry.Port}";
        using var a = new TestTrees();
        await Fleet.WriteConfAsync(a, registry.Url, "push",
            auth: RegistrySecrets.DockerConfig(Path.Combine(a.Root, "config.json"), host, User, Password, asAuthField: false));
        await Fleet.WriteConfAsync(_b, registry.Url, "pull",
            auth: RegistrySecrets.DockerConfig(Path.Combine(_b.Root, "config.json"), "https://" + host, User, Password, asAuthField: true));

        var pushed = await a.RunAsync("install", "-k", a.Kernel, a.Module(ArtifactFleet.ModuleName).Dir);
        var pulled = await RunWithoutMakeAsync();

        Assert.True(pushed.ExitCode == 0 && pushed.Stderr.Contains("pushed sha256:", StringComparison.Ordinal), pushed.ToString());
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.Contains("signature verified (no make)", pulled.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(MakeMarker), "make ran on machine B");
        Assert.Equal((Fleet.Key, "pulled"), await ArtifactFleet.StatusAsync(_b));
    }

    [Theory]
    [InlineData("pull", "wrong")]
    [InlineData("pull", "missing")]
    [InlineData("push", "wrong")]
    public async Task Auth_WrongOrMissingCredentials_BuildsLocallyNamingTheRegistryAnd401(string role, string credentials)
    {
        using var registry = await CopyOfFleetRegistryAsync(htpasswd: RegistrySecrets.Htpasswd(Path.Combine(_b.Root, "htpasswd"), User, Password));
        var auth = credentials == "wrong"
            ? RegistrySecrets.DockerConfig(Path.Combine(_b.Root, "config.json"), $"127.0.0.1:{registry.Port}", User, "not-it", asAuthField: true)
            : null;
        await Fleet.WriteConfAsync(_b, registry.Url, role, auth: auth);

        var r = await _b.RunAsync("install", "-k", _b.Kernel, _b.Module(ArtifactFleet.ModuleName).Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches($@"Content key [0-9a-f]{{16}}: the registry {registry.Url} is unusable \([^\n]*401 Unauthorized[^\n]*\); building here\.", r.Stderr);
        if (role == "push")
        {
            Assert.Matches($@"Content key [0-9a-f]{{16}}: not pushed to {registry.Url} \([^\n]*401 Unauthorized[^\n]*\)\.", r.Stderr);
        }

        Assert.Equal((Fleet.Key, "built"), await ArtifactFleet.StatusAsync(_b));
        Assert.True(File.Exists(Path.Combine(_b.UpdatesDir, ArtifactFleet.ModuleName + ".ko")), r.ToString());
    }

    [Fact]
    public async Task Auth_BearerTokenRealm_BuilderPushesClientPulls()
    {
        using var tokens = new TokenServer(_b.Root, User, Password);
        using var registry = await RegistryServer.StartAsync(Path.Combine(_b.Root, "token-registry"), token: (tokens.Realm, tokens.RootCertBundle));
        var host = $"127.0.0.1:{registry.Port}";
        using var a = new TestTrees();
        await Fleet.WriteConfAsync(a, registry.Url, "push",
            auth: RegistrySecrets.DockerConfig(Path.Combine(a.Root, "config.json"), host, User, Password, asAuthField: true));
        await Fleet.WriteConfAsync(_b, registry.Url, "pull",
            auth: RegistrySecrets.DockerConfig(Path.Combine(_b.Root, "config.json"), host, User, Password, asAuthField: false));

        var pushed = await a.RunAsync("install", "-k", a.Kernel, a.Module(ArtifactFleet.ModuleName).Dir);
        var pulled = await RunWithoutMakeAsync();

        Assert.True(pushed.ExitCode == 0 && pushed.Stderr.Contains("pushed sha256:", StringComparison.Ordinal), pushed.ToString());
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        Assert.Contains("signature verified (no make)", pulled.Stderr, StringComparison.Ordinal);
        Assert.Equal((Fleet.Key, "pulled"), await ArtifactFleet.StatusAsync(_b));
        Assert.True(tokens.Issued >= 2, $"{tokens.Issued} tokens issued");

        // The same registry with a wrong password: the token service refuses, the client builds.
        using var c = new TestTrees();
        await Fleet.WriteConfAsync(c, registry.Url, "pull",
            auth: RegistrySecrets.DockerConfig(Path.Combine(c.Root, "config.json"), host, User, "not-it", asAuthField: true));
        var refused = await c.RunAsync("install", "-k", c.Kernel, c.Module(ArtifactFleet.ModuleName).Dir);
        Assert.True(refused.ExitCode == 0, refused.ToString());
        Assert.Matches($@"the registry {registry.Url} is unusable \(The token service {tokens.Realm} answered 401\.\); building here\.", refused.Stderr);
        Assert.True(tokens.Refused > 0);
    }

    [Theory]
    [InlineData("artifact_ca", true)]
    [InlineData("system CAs", false)]
    [InlineData("another CA", false)]
    public async Task Tls_RegistryCertificate_TrustedOnlyThroughArtifactCa(string trust, bool pulls)
    {
        var (ca, certificate, key) = RegistrySecrets.Tls(Path.Combine(_b.Root, "tls"));
        var (other, _, _) = RegistrySecrets.Tls(Path.Combine(_b.Root, "tls-other"), "other-ca");
        using var registry = await CopyOfFleetRegistryAsync(certificate, key);
        await Fleet.WriteConfAsync(_b, registry.Url, "pull", ca: trust switch
        {
            "artifact_ca" => ca,
            "another CA" => other,
            _ => null,
        });

        var r = pulls ? await RunWithoutMakeAsync() : await _b.RunAsync("install", "-k", _b.Kernel, _b.Module(ArtifactFleet.ModuleName).Dir);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("https://", registry.Url, StringComparison.Ordinal);
        if (pulls)
        {
            Assert.Contains("signature verified (no make)", r.Stderr, StringComparison.Ordinal);
            Assert.Equal((Fleet.Key, "pulled"), await ArtifactFleet.StatusAsync(_b));
        }
        else
        {
            Assert.Matches($@"the registry {registry.Url} is unusable \(The TLS certificate of 127\.0\.0\.1:{registry.Port} is not trusted [^\n]*; artifact_ca names the CA to trust for it\.\); building here\.", r.Stderr);
            Assert.Equal((Fleet.Key, "built"), await ArtifactFleet.StatusAsync(_b));
        }
    }

    [Theory]
    [InlineData("reset", "503")]
    [InlineData("429", "503")]
    public async Task Pull_RegistryFailsTwiceThenServes_RetriedAndPulled(string first, string second)
    {
        // The real registry behind a fault injector: the first two connections meet the faults, then it forwards.
        using var injector = new FaultyServer(Fleet.Registry.Port, first, second);
        await Fleet.WriteConfAsync(_b, injector.Url, "pull");

        var r = await RunWithoutMakeAsync();

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(2, injector.Faulted);
        Assert.Contains("signature verified (no make)", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(MakeMarker), "make ran although the registry came back within the retries");
        Assert.Equal((Fleet.Key, "pulled"), await ArtifactFleet.StatusAsync(_b));
    }

    [Fact]
    public async Task Preflight_SilentRegistry_OneTimeoutForTheWholeRun()
    {
        using var silent = new FaultyServer(answer503: false);
        await Fleet.WriteConfAsync(_b, silent.Url, "pull", timeout: "2");
        foreach (var m in new[] { "first", "second" })
        {
            _b.Module(m);
            Assert.Equal(0, (await _b.RunAsync("add", Path.Combine(_b.Packages, m + "-1.0"))).ExitCode);
        }

        var r = await _b.RunAsync("preflight", "-k", _b.Kernel);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("first/1.0: buildable", r.Stdout, StringComparison.Ordinal);
        Assert.Contains("second/1.0: buildable", r.Stdout, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(r.Stderr, @"no answer in time: artifact_timeout is 2 s a request\); building here\."));
        Assert.Matches($@"the registry {silent.Url} was unusable \d+ s ago \(no answer in time: artifact_timeout is 2 s a request\); building here without asking it again\.", r.Stderr);
    }

    /// <summary>A registry serving a copy of A's storage, over https and with htpasswd when asked.</summary>
    private async Task<RegistryServer> CopyOfFleetRegistryAsync(string? certificate = null, string? key = null, string? htpasswd = null)
    {
        var storage = Path.Combine(_b.Root, "registry-copy");
        CopyDirectory(Fleet.Registry.Storage, storage);
        return await RegistryServer.StartAsync(storage, certificate, key, htpasswd);
    }
}
