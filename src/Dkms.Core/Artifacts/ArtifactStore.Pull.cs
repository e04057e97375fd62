using System.Text.Json;

namespace Dkms.Core.Artifacts;

internal sealed partial class ArtifactStore
{
    /// <summary>
    /// Fetches the artifact of <paramref name="record"/> into <paramref name="tarPath"/> when the registry holds one signed by
    /// the pinned key; returns its manifest digest, or null when the registry has no artifact for the key.
    /// </summary>
    public async Task<string?> TryPullAsync(KeyRecord record, string tarPath, CancellationToken ct)
    {
        var config = record.ToCanonicalJson();
        var key = record.Key();
        var repo = Repository(record.Module);
        if (await _client.GetManifestAsync(repo, Digests.KeyTag(key), OciClient.ManifestType, ManifestLimit, ct).ConfigureAwait(false)
            is not { } found)
        {
            return null;
        }

        var manifestDigest = Digests.Of(found.Body);
        var (layerDigest, layerSize) = ArtifactManifest.Check(found.Body, key, config.Length);

        // The signature first: a cheap refusal before the big layer.
        await RequireSignatureAsync(repo, manifestDigest, found.Body.Length, ct).ConfigureAwait(false);

        var remoteConfig = await _client.GetBlobAsync(repo, "sha256:" + key, config.Length, ConfigLimit, ct).ConfigureAwait(false);
        if (!remoteConfig.AsSpan().SequenceEqual(config))
        {
            throw new RegistryException("The artifact's key record differs from this host's.");
        }

        await using (var file = new FileStream(tarPath, FileMode.CreateNew, FileAccess.Write))
        {
            await _client.GetBlobAsync(repo, layerDigest, layerSize, file, ct).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }

        return manifestDigest;
    }

    /// <summary>Requires one signature of <paramref name="manifestDigest"/> by the pinned key among its referrers (the tag fallback).</summary>
    private async Task RequireSignatureAsync(string repo, string manifestDigest, long manifestSize, CancellationToken ct)
    {
        var index = await _client.GetManifestAsync(repo, Digests.ReferrersTag(manifestDigest), OciClient.IndexType, ManifestLimit, ct)
            .ConfigureAwait(false);
        if (index is null)
        {
            throw new RegistryException($"The artifact {manifestDigest[..19]} has no signature.");
        }

        var candidates = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(index.Value.Body);
            foreach (var m in doc.RootElement.GetProperty("manifests").EnumerateArray().Take(MaxSignatures))
            {
                if (m.TryGetProperty("artifactType", out var at) && at.GetString() == ArtifactSignature.ArtifactType
                    && m.GetProperty("digest").GetString() is { } d && Digests.IsValid(d))
                {
                    candidates.Add(d);
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new RegistryException("The artifact's signature index is malformed.", e);
        }

        foreach (var candidate in candidates)
        {
            if (await IsGoodSignatureAsync(repo, candidate, manifestDigest, manifestSize, ct).ConfigureAwait(false))
            {
                return;
            }
        }

        throw new RegistryException($"The artifact {manifestDigest[..19]} has no valid signature by {VerifyFingerprint[..16]}.");
    }

    private async Task<bool> IsGoodSignatureAsync(string repo, string signatureDigest, string manifestDigest, long manifestSize,
        CancellationToken ct)
    {
        if (await _client.GetManifestAsync(repo, signatureDigest, OciClient.ManifestType, ManifestLimit, ct).ConfigureAwait(false)
            is not { } sig)
        {
            return false;
        }

        string? layerDigest;
        long layerSize;
        string? signature;
        try
        {
            using var doc = JsonDocument.Parse(sig.Body);
            var root = doc.RootElement;
            var subject = root.GetProperty("subject");
            if (subject.GetProperty("digest").GetString() != manifestDigest || subject.GetProperty("size").GetInt64() != manifestSize)
            {
                return false;
            }

            var layer = root.GetProperty("layers")[0];
            if (layer.GetProperty("mediaType").GetString() != ArtifactSignature.PayloadMediaType)
            {
                return false;
            }

            layerDigest = layer.GetProperty("digest").GetString();
            layerSize = layer.GetProperty("size").GetInt64();
            signature = layer.GetProperty("annotations").GetProperty(ArtifactSignature.SignatureAnnotation).GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return false;
        }

        if (!Digests.IsValid(layerDigest) || signature is null || layerSize > PayloadLimit)
        {
            return false;
        }

        var payload = await _client.GetBlobAsync(repo, layerDigest!, layerSize, PayloadLimit, ct).ConfigureAwait(false);
        return ArtifactSignature.Verify(_verifyKey, payload, signature, manifestDigest);
    }
}
