using System.Security.Cryptography;

namespace Dkms.Core.Artifacts;

/// <summary>
/// Artifacts in the fleet's OCI registry: pull (look up by the key's tag, verify the builder's signature and every
/// digest, fetch the layer) and push (blobs, manifest by digest, signature, then the tags). Every refusal is a
/// <see cref="RegistryException"/> whose message is the job's line; the caller builds locally.
/// </summary>
internal sealed partial class ArtifactStore : IDisposable
{
    private const int ManifestLimit = 256 * 1024;
    private const int ConfigLimit = 4 * 1024 * 1024;
    private const int PayloadLimit = 16 * 1024;
    private const int MaxSignatures = 32;

    private readonly ArtifactSettings _settings;
    private readonly OciClient _client;
    private readonly ECDsa _verifyKey;

    public ArtifactStore(ArtifactSettings settings)
    {
        _settings = settings;
        _verifyKey = ArtifactSignature.LoadKey(settings.VerifyKey);
        _client = new OciClient(settings);
    }

    /// <summary>The fingerprint of the pinned key pulls are verified with.</summary>
    public string VerifyFingerprint => ArtifactSignature.Fingerprint(_verifyKey);

    private string Repository(string module) => Digests.Repository(_settings.Registry.AbsolutePath, module);

    public void Dispose()
    {
        _client.Dispose();
        _verifyKey.Dispose();
    }
}
