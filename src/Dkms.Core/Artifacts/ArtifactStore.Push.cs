using System.Text.Json;

namespace Dkms.Core.Artifacts;

internal sealed partial class ArtifactStore
{
    private const string EmptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    /// <summary>
    /// Pushes the artifact of <paramref name="record"/> (layer at <paramref name="tarPath"/>) and signs it: blobs, the manifest by
    /// digest, the signature and the referrers fallback index, then the key tag (so no puller sees it unsigned), then the
    /// human tag. Returns the manifest digest.
    /// </summary>
    public async Task<string> PushAsync(KeyRecord record, string tarPath, CancellationToken ct)
    {
        using var signingKey = ArtifactSignature.LoadKey(_settings.SigningKey
            ?? throw new InvalidOperationException("Pushing needs artifact_signing_key."));
        var repo = Repository(record.Module);
        var config = record.ToCanonicalJson();
        var key = record.Key();
        var layerSize = new FileInfo(tarPath).Length;
        string layerDigest;
        await using (var tar = File.OpenRead(tarPath))
        {
            layerDigest = "sha256:" + Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(tar, ct).ConfigureAwait(false));
        }

        await PushBytesAsync(repo, config, ct).ConfigureAwait(false);
        await _client.PushBlobAsync(repo, layerDigest, () => File.OpenRead(tarPath), layerSize, ct).ConfigureAwait(false);
        var manifest = ArtifactManifest.Write(record, key, config.Length, layerDigest, layerSize);
        var manifestDigest = Digests.Of(manifest);
        await _client.PutManifestAsync(repo, manifestDigest, manifest, OciClient.ManifestType, ct).ConfigureAwait(false);

        var payload = ArtifactSignature.Payload($"{_client.Host}/{repo}", manifestDigest);
        await PushBytesAsync(repo, "{}"u8.ToArray(), ct).ConfigureAwait(false);
        await PushBytesAsync(repo, payload, ct).ConfigureAwait(false);
        var signature = SignatureManifest(payload, ArtifactSignature.Sign(signingKey, payload), manifestDigest, manifest.Length,
            ArtifactSignature.Fingerprint(signingKey));
        var signatureDigest = await _client.PutManifestAsync(repo, Digests.Of(signature), signature, OciClient.ManifestType, ct)
            .ConfigureAwait(false);

        // Read-modify-write of the fallback index (registry 2.8 has no conditional writes): re-read and re-add if a racing
        // builder's write lost ours.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await AddReferrerAsync(repo, manifestDigest, signatureDigest, signature.Length, ct).ConfigureAwait(false))
            {
                break;
            }
        }

        await _client.PutManifestAsync(repo, Digests.KeyTag(key), manifest, OciClient.ManifestType, ct).ConfigureAwait(false);
        await _client.PutManifestAsync(repo, Digests.HumanTag(record.Module, record.Version, record.Kernel, record.Arch), manifest,
            OciClient.ManifestType, ct).ConfigureAwait(false);
        return manifestDigest;
    }

    private Task PushBytesAsync(string repo, byte[] bytes, CancellationToken ct) =>
        _client.PushBlobAsync(repo, Digests.Of(bytes), () => new MemoryStream(bytes, writable: false), bytes.Length, ct);

    /// <summary>Adds the signature to the <c>sha256-&lt;hex&gt;</c> index; true once a re-read shows it listed.</summary>
    private async Task<bool> AddReferrerAsync(string repo, string manifestDigest, string signatureDigest, long signatureSize,
        CancellationToken ct)
    {
        var tag = Digests.ReferrersTag(manifestDigest);
        var entries = await ReadIndexAsync(repo, tag, ct).ConfigureAwait(false);
        if (!entries.Any(e => e.Digest == signatureDigest))
        {
            entries.Add((signatureDigest, signatureSize));
            await _client.PutManifestAsync(repo, tag, WriteIndex(entries), OciClient.IndexType, ct).ConfigureAwait(false);
        }

        return (await ReadIndexAsync(repo, tag, ct).ConfigureAwait(false)).Any(e => e.Digest == signatureDigest);
    }

    private async Task<List<(string Digest, long Size)>> ReadIndexAsync(string repo, string tag, CancellationToken ct)
    {
        var result = new List<(string, long)>();
        if (await _client.GetManifestAsync(repo, tag, OciClient.IndexType, ManifestLimit, ct).ConfigureAwait(false) is not { } index)
        {
            return result;
        }

        try
        {
            using var doc = JsonDocument.Parse(index.Body);
            foreach (var m in doc.RootElement.GetProperty("manifests").EnumerateArray())
            {
                if (m.TryGetProperty("artifactType", out var at) && at.GetString() == ArtifactSignature.ArtifactType
                    && m.GetProperty("digest").GetString() is { } d && Digests.IsValid(d))
                {
                    result.Add((d, m.GetProperty("size").GetInt64()));
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not an index: start a fresh one (the spec's "no referrers").
        }

        return result;
    }

    private static byte[] WriteIndex(List<(string Digest, long Size)> entries)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciClient.IndexType);
            w.WriteStartArray("manifests");
            foreach (var (digest, size) in entries)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", OciClient.ManifestType);
                w.WriteString("digest", digest);
                w.WriteNumber("size", size);
                w.WriteString("artifactType", ArtifactSignature.ArtifactType);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static byte[] SignatureManifest(byte[] payload, string signature, string subjectDigest, long subjectSize, string signer)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciClient.ManifestType);
            w.WriteString("artifactType", ArtifactSignature.ArtifactType);
            w.WriteStartObject("config");
            w.WriteString("mediaType", "application/vnd.oci.empty.v1+json");
            w.WriteString("digest", EmptyDigest);
            w.WriteNumber("size", 2);
            w.WriteEndObject();
            w.WriteStartArray("layers");
            w.WriteStartObject();
            w.WriteString("mediaType", ArtifactSignature.PayloadMediaType);
            w.WriteString("digest", Digests.Of(payload));
            w.WriteNumber("size", payload.Length);
            w.WriteStartObject("annotations");
            w.WriteString(ArtifactSignature.SignatureAnnotation, signature);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("subject");
            w.WriteString("mediaType", OciClient.ManifestType);
            w.WriteString("digest", subjectDigest);
            w.WriteNumber("size", subjectSize);
            w.WriteEndObject();
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.created", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("dev.dkmsd.signer", signer);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }
}
