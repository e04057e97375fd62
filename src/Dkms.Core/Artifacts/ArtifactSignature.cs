using System.Security.Cryptography;

using System.Text.Json;

namespace Dkms.Core.Artifacts;

/// <summary>
/// cosign-compatible signatures of a manifest digest: the simple-signing payload, signed with ECDSA P-256 over
/// SHA-256, DER-encoded (what cosign and openssl write), base64 in the layer's annotation.
/// </summary>
internal static class ArtifactSignature
{
    public const string PayloadType = "cosign container image signature";
    public const string PayloadMediaType = "application/vnd.dev.cosign.simplesigning.v1+json";
    public const string ArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json";
    public const string SignatureAnnotation = "dev.cosignproject.cosign/signature";
    private const string P256 = "1.2.840.10045.3.1.7";

    /// <summary>The payload cosign signs for <paramref name="manifestDigest"/> in <paramref name="reference"/> (host/repo).</summary>
    public static byte[] Payload(string reference, string manifestDigest)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("critical");
            w.WriteStartObject("identity");
            w.WriteString("docker-reference", reference);
            w.WriteEndObject();
            w.WriteStartObject("image");
            w.WriteString("docker-manifest-digest", manifestDigest);
            w.WriteEndObject();
            w.WriteString("type", PayloadType);
            w.WriteEndObject();
            w.WriteNull("optional");
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Loads a P-256 key from PEM (private or public); anything else is refused.</summary>
    public static ECDsa LoadKey(string pemFile)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(pemFile));
            if (key.KeySize != 256 || key.ExportParameters(false).Curve.Oid.Value != P256)
            {
                throw new CryptographicException($"{pemFile} is not an ECDSA P-256 key.");
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public static string Sign(ECDsa key, byte[] payload) =>
        Convert.ToBase64String(key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>
    /// True when <paramref name="signatureB64"/> is <paramref name="key"/>'s DER signature of <paramref name="payload"/> and the
    /// payload is a cosign signature of exactly <paramref name="manifestDigest"/>. The reference is not checked: mirrors change it.
    /// </summary>
    public static bool Verify(ECDsa key, byte[] payload, string signatureB64, string manifestDigest)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(signatureB64);
        }
        catch (FormatException)
        {
            return false;
        }

        if (!key.VerifyData(payload, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(payload);
            var critical = doc.RootElement.GetProperty("critical");
            return critical.GetProperty("type").GetString() == PayloadType
                   && critical.GetProperty("image").GetProperty("docker-manifest-digest").GetString() == manifestDigest;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>SHA-256 of the key's SubjectPublicKeyInfo: how a signer is named in lines and annotations.</summary>
    public static string Fingerprint(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

}
