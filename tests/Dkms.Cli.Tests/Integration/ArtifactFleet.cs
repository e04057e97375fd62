using System.Security.Cryptography;
using System.Text.Json;
using Dkms.Cli.Tests.Infrastructure;
using Dkms.Tests.Shared;

namespace Dkms.Cli.Tests.Integration;

/// <summary>
/// Machine A: a builder (artifact_role=push) that built and installed the module <c>fleet</c> against the real headers
/// and pushed it to a real docker-registry. Tests copy its registry storage to tamper with their own copy.
/// </summary>
public sealed class ArtifactFleet : IAsyncLifetime
{
    public const string ModuleName = "fleet";

    internal TestTrees Builder { get; } = new();

    internal RegistryServer Registry { get; private set; } = null!;

    public string Keys { get; } = Directory.CreateTempSubdirectory("dkmsd-keys-").FullName;

    /// <summary>The builder's public key (what clients pin).</summary>
    public string VerifyKey => Path.Combine(Keys, "builder.pub");

    public string SigningKey => Path.Combine(Keys, "builder.pem");

    /// <summary>A key nobody signs with.</summary>
    public string OtherKey => Path.Combine(Keys, "other.pub");

    public string Key { get; private set; } = string.Empty;

    /// <summary>The layer A pushed: the unsigned, unstripped modules make wrote, and make.log.</summary>
    public byte[] BuilderTar { get; private set; } = [];

    public string Repo => "dkms/" + ModuleName;

    public async Task InitializeAsync()
    {
        using (var builder = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(SigningKey, builder.ExportPkcs8PrivateKeyPem());
            await File.WriteAllTextAsync(VerifyKey, builder.ExportSubjectPublicKeyInfoPem());
        }

        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(OtherKey, other.ExportSubjectPublicKeyInfoPem());
        }

        Registry = await RegistryServer.StartAsync(Path.Combine(Builder.Root, "registry"));
        await WriteConfAsync(Builder, Registry.Url, "push");
        var r = await Builder.RunAsync("install", "-k", Builder.Kernel, Builder.Module(ModuleName).Dir);
        if (r.ExitCode != 0 || !r.Stderr.Contains("pushed sha256:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Machine A did not build and push: " + r);
        }

        (Key, _) = await StatusAsync(Builder);
        BuilderTar = await File.ReadAllBytesAsync(Path.Combine(Builder.DkmsTree, ".artifacts", Key, "artifact.tar"));
    }

    /// <summary>Writes the artifact keys into <paramref name="t"/>'s framework.conf.</summary>
    internal Task WriteConfAsync(TestTrees t, string url, string role, string? verifyKey = null, string timeout = "5", string? auth = null,
        string? ca = null) =>
        File.WriteAllTextAsync(t.FrameworkConf,
            $"artifact_registry=\"{url}\"\nartifact_role=\"{role}\"\nartifact_verify_key=\"{verifyKey ?? VerifyKey}\"\n"
            + (role == "push" ? $"artifact_signing_key=\"{SigningKey}\"\n" : string.Empty)
            + (auth is null ? string.Empty : $"artifact_auth=\"{auth}\"\n")
            + (ca is null ? string.Empty : $"artifact_ca=\"{ca}\"\n")
            + $"artifact_timeout=\"{timeout}\"\n");

    /// <summary>The content key and origin <c>status --json</c> shows for the module on <paramref name="t"/>'s kernel.</summary>
    internal static async Task<(string Key, string Origin)> StatusAsync(TestTrees t)
    {
        var r = await t.RunAsync("status", "--json");
        using var doc = JsonDocument.Parse(r.Stdout);
        var entry = doc.RootElement.EnumerateArray().Single(e => e.GetProperty("module").GetString() == ModuleName);
        return (entry.GetProperty("content_key").GetString()!, entry.GetProperty("origin").GetString()!);
    }

    public Task DisposeAsync()
    {
        Registry?.Dispose();
        Builder.Dispose();
        Directory.Delete(Keys, recursive: true);
        return Task.CompletedTask;
    }
}
