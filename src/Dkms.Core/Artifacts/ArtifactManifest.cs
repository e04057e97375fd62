using System.Text.Json;

namespace Dkms.Core.Artifacts;

/// <summary>The artifact's OCI manifest: written deterministically (no timestamps, so two builders of identical bytes agree) and checked strictly.</summary>
internal static class ArtifactManifest
{
    public const string ArtifactType = "application/vnd.dkmsd.module.v1";
    public const string ConfigType = "application/vnd.dkmsd.key.v1+json";
    public const string LayerType = "application/vnd.dkmsd.module.layer.v1.tar";

    public static byte[] Write(KeyRecord record, string key, long configSize, string layerDigest, long layerSize)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciClient.ManifestType);
            w.WriteString("artifactType", ArtifactType);
            w.WriteStartObject("config");
            w.WriteString("mediaType", ConfigType);
            w.WriteString("digest", "sha256:" + key);
            w.WriteNumber("size", configSize);
            w.WriteEndObject();
            w.WriteStartArray("layers");
            w.WriteStartObject();
            w.WriteString("mediaType", LayerType);
            w.WriteString("digest", layerDigest);
            w.WriteNumber("size", layerSize);
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.title", Digests.HumanTag(record.Module, record.Version, record.Kernel, record.Arch) + ".tar");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartObject("annotations");
            w.WriteString("dev.dkmsd.key", "sha256:" + key);
            w.WriteString("dev.dkmsd.module", record.Module);
            w.WriteString("dev.dkmsd.version", record.Version);
            w.WriteString("dev.dkmsd.kernel", record.Kernel);
            w.WriteString("dev.dkmsd.arch", record.Arch);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The layer (digest, size) of a manifest that is exactly a dkmsd artifact for <paramref name="key"/>; throws otherwise.</summary>
    public static (string Digest, long Size) Check(byte[] manifest, string key, long configSize)
    {
        try
        {
            using var doc = JsonDocument.Parse(manifest);
            var root = doc.RootElement;
            var config = root.GetProperty("config");
            var layers = root.GetProperty("layers");
            if (root.GetProperty("mediaType").GetString() != OciClient.ManifestType
                || root.GetProperty("artifactType").GetString() != ArtifactType
                || config.GetProperty("mediaType").GetString() != ConfigType
                || config.GetProperty("digest").GetString() != "sha256:" + key
                || config.GetProperty("size").GetInt64() != configSize
                || layers.GetArrayLength() != 1)
            {
                throw new RegistryException($"The manifest under the key's tag is not the dkmsd artifact of key {key[..12]}.");
            }

            var layer = layers[0];
            var digest = layer.GetProperty("digest").GetString();
            if (layer.GetProperty("mediaType").GetString() != LayerType || !Digests.IsValid(digest))
            {
                throw new RegistryException("The artifact's layer is not a dkmsd module layer.");
            }

            return (digest!, layer.GetProperty("size").GetInt64());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new RegistryException("The manifest under the key's tag is malformed: " + e.Message, e);
        }
    }
}
