using System.Security.Cryptography;
using System.Text;
using Dkms.Core.Artifacts;

namespace Dkms.Core.Tests.Artifacts;

/// <summary>The cosign-compatible signature against the vector made with openssl (docs/research/oci-fleet-vectors).</summary>
public sealed class ArtifactSignatureTests : IDisposable
{
    private const string ManifestDigest = "sha256:5efbc28da2f4d7ce765e7635f3eef3b57ea90cbefc631210d7d066cf465b5d2f";
    private const string VectorSignature = "MEUCIQCnt+/iCgEzffXLKhwdnb/s5+yrw8YLnxygR/0z1IJPKgIgS/vrkeoK0omsMDBz4aGas5hTDcl7fNXmTGhDl7cx7Po=";

    private const string VectorPayload =
        """{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/dkms/jool"},"image":{"docker-manifest-digest":"sha256:5efbc28da2f4d7ce765e7635f3eef3b57ea90cbefc631210d7d066cf465b5d2f"},"type":"cosign container image signature"},"optional":null}""";

    private readonly TempDir _dir = new();

    private ECDsa VectorKey() => ArtifactSignature.LoadKey(_dir.Write("cosign.pub", File.ReadAllText(VectorFile("cosign.pub"))));

    [Fact]
    public void Verify_OpensslVector_Accepted()
    {
        using var key = VectorKey();

        Assert.True(ArtifactSignature.Verify(key, Encoding.UTF8.GetBytes(VectorPayload), VectorSignature, ManifestDigest));
    }

    [Fact]
    public void Payload_SameInputs_ByteIdenticalToCosigns()
    {
        Assert.Equal(VectorPayload, Encoding.UTF8.GetString(ArtifactSignature.Payload("127.0.0.1:5000/dkms/jool", ManifestDigest)));
        Assert.Equal(VectorPayload, File.ReadAllText(VectorFile("payload.json")));
    }

    [Fact]
    public void Verify_OtherDigestPayloadChangedOrP1363_Refused()
    {
        using var key = VectorKey();
        var payload = Encoding.UTF8.GetBytes(VectorPayload);

        Assert.False(ArtifactSignature.Verify(key, payload, VectorSignature, "sha256:" + new string('0', 64)));
        var changed = (byte[])payload.Clone();
        changed[^3] ^= 1;
        Assert.False(ArtifactSignature.Verify(key, changed, VectorSignature, ManifestDigest));
        Assert.False(ArtifactSignature.Verify(key, payload, "not base64!", ManifestDigest));

        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var pub = ArtifactSignature.LoadKey(_dir.Write("s.pub", signer.ExportSubjectPublicKeyInfoPem()));
        var p1363 = Convert.ToBase64String(signer.SignData(payload, HashAlgorithmName.SHA256)); // r||s, not DER
        Assert.False(ArtifactSignature.Verify(pub, payload, p1363, ManifestDigest));
        Assert.True(ArtifactSignature.Verify(pub, payload, ArtifactSignature.Sign(signer, payload), ManifestDigest));
        Assert.False(ArtifactSignature.Verify(key, payload, ArtifactSignature.Sign(signer, payload), ManifestDigest));
    }

    [Fact]
    public void LoadKey_NotP256_Refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var file = _dir.Write("p384.pem", p384.ExportPkcs8PrivateKeyPem());

        Assert.Throws<CryptographicException>(() => ArtifactSignature.LoadKey(file));
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The research vectors, read from the repository (the tests run from its bin directory).</summary>
    private static string VectorFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "docs", "research", "oci-fleet-vectors", name);
            if (File.Exists(file))
            {
                return file;
            }
        }

        throw new FileNotFoundException("The oci-fleet vectors are not found above " + AppContext.BaseDirectory, name);
    }
}
