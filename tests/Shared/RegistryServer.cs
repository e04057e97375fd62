using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Dkms.Tests.Shared;

/// <summary>
/// Debian's real docker-registry (distribution 2.8), started on 127.0.0.1 with a port of its own choosing and a storage
/// directory the test owns; stopped by its pid at dispose. Never its systemd service, never the packaged config.
/// </summary>
internal sealed partial class RegistryServer : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    /// <summary>The service a token-auth registry names in its challenge (and wants as a token's audience).</summary>
    public const string TokenService = "dkmsd-test-registry";

    /// <summary>The issuer a token-auth registry trusts.</summary>
    public const string TokenIssuer = "dkmsd-test-token-service";

    private readonly Process _process;

    private RegistryServer(Process process, string storage, string config, int port, bool tls)
    {
        _process = process;
        Storage = storage;
        Config = config;
        Port = port;
        Scheme = tls ? "https" : "http";
    }

    /// <summary>The filesystem driver's root (tests tamper with it: the registry serves what is on disk).</summary>
    public string Storage { get; }

    public string Config { get; }

    public int Port { get; }

    /// <summary>http, or https when started with a certificate.</summary>
    public string Scheme { get; }

    /// <summary>The artifact_registry URL of this registry (repository prefix <c>dkms</c>).</summary>
    public string Url => $"{Scheme}://127.0.0.1:{Port}/dkms";

    /// <summary>
    /// Starts a registry serving <paramref name="storage"/> (created when missing); with <paramref name="tlsCertificate"/> and
    /// <paramref name="tlsKey"/> (PEM files) over https, with <paramref name="htpasswd"/> (bcrypt entries) asking for Basic auth,
    /// with <paramref name="token"/> asking for Bearer tokens from that realm, signed by a key whose certificate is in that bundle
    /// (issuer <see cref="TokenIssuer"/>, service <see cref="TokenService"/>).
    /// </summary>
    public static async Task<RegistryServer> StartAsync(string storage, string? tlsCertificate = null, string? tlsKey = null,
        string? htpasswd = null, (string Realm, string RootCertBundle)? token = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: scripts/prerequisites installs the docker-registry package.");
        }

        Directory.CreateDirectory(storage);
        var config = storage.TrimEnd('/') + ".yml";
        // No blob-descriptor cache: tampering on disk must be what the next request sees.
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {storage}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:0

            """
            + (tlsCertificate is null ? string.Empty : $"""
              tls:
                certificate: {tlsCertificate}
                key: {tlsKey}

            """)
            + (htpasswd is null ? string.Empty : $"""
            auth:
              htpasswd:
                realm: dkmsd-test
                path: {htpasswd}

            """)
            + (token is not { } t ? string.Empty : $"""
            auth:
              token:
                realm: {t.Realm}
                service: {TokenService}
                issuer: {TokenIssuer}
                rootcertbundle: {t.RootCertBundle}

            """));
        var psi = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi)!;
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } m)
            {
                port.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            return new RegistryServer(process, storage, config, await port.Task.WaitAsync(TimeSpan.FromSeconds(15)), tlsCertificate is not null);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    /// <summary>A path under the registry's v2 storage.</summary>
    public string V2(string relative) => Path.Combine(Storage, "docker", "registry", "v2", relative);

    /// <summary>The data file of a blob.</summary>
    public string BlobData(string digest)
    {
        var hex = digest["sha256:".Length..];
        return V2($"blobs/sha256/{hex[..2]}/{hex}/data");
    }

    /// <summary>The directory of a tag in a repository.</summary>
    public string TagDir(string repo, string tag) => V2($"repositories/{repo}/_manifests/tags/{tag}");

    /// <summary>The manifest digest a tag points at, read from disk.</summary>
    public string TagTarget(string repo, string tag) => File.ReadAllText(Path.Combine(TagDir(repo, tag), "current", "link")).Trim();

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}
