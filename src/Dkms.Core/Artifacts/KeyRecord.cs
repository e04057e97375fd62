using System.Security.Cryptography;
using System.Text.Json;

namespace Dkms.Core.Artifacts;

/// <summary>One file of a key record: its path (relative to its root), mode (octal) and SHA-256, or a link's target.</summary>
public sealed record KeyFile(string Path, string Mode, string Sha256);

/// <summary>
/// Everything that decides the bytes of a built module, as one canonical record: its SHA-256 is the content key.
/// The record itself is the artifact's config blob, so any host can diff it against its own to see why it missed.
/// </summary>
public sealed record KeyRecord
{
    /// <summary>Bumped whenever what dkmsd feeds make changes (so older artifacts stop matching).</summary>
    public const string Recipe = "dkmsd-recipe-1";

    public const string Schema = "dkmsd.key.v1";

    public required string Module { get; init; }

    public required string Version { get; init; }

    public required string Kernel { get; init; }

    public required string Arch { get; init; }

    /// <summary>The module source tree (dkms.conf and patches included), sorted by path.</summary>
    public required IReadOnlyList<KeyFile> Source { get; init; }

    /// <summary>The /etc/dkms override files that exist for this module (name, mode, hash), in dkms's order.</summary>
    public required IReadOnlyList<KeyFile> Overrides { get; init; }

    /// <summary>The kernel build's identity: hashes of Module.symvers, auto.conf, the generated release headers.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> KernelBuild { get; init; }

    /// <summary>CONFIG_CC_VERSION_TEXT and the compiler's own <c>--version</c>.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Compiler { get; init; }

    /// <summary>What the build runs with: the make and clean commands, the compiler environment, the modules expected.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> BuildEnvironment { get; init; }

    /// <summary>The canonical bytes: compact JSON, fixed field order, every value a string.</summary>
    public byte[] ToCanonicalJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteString("recipe", Recipe);
            w.WriteString("module", Module);
            w.WriteString("version", Version);
            w.WriteString("kernel", Kernel);
            w.WriteString("arch", Arch);
            WriteFiles(w, "source", Source);
            WriteFiles(w, "overrides", Overrides);
            WritePairs(w, "kbuild", KernelBuild);
            WritePairs(w, "cc", Compiler);
            WritePairs(w, "build_environment", BuildEnvironment);
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The content key: lower-case hex SHA-256 of <see cref="ToCanonicalJson"/>.</summary>
    public string Key() => Convert.ToHexStringLower(SHA256.HashData(ToCanonicalJson()));

    private static void WriteFiles(Utf8JsonWriter w, string name, IReadOnlyList<KeyFile> files)
    {
        w.WriteStartArray(name);
        foreach (var f in files)
        {
            w.WriteStartArray();
            w.WriteStringValue(f.Path);
            w.WriteStringValue(f.Mode);
            w.WriteStringValue(f.Sha256);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static void WritePairs(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, string>> pairs)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in pairs)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }
}
