namespace Dkms.Core.Artifacts;

/// <summary>Where a build's modules came from: its content key, <c>built</c>, <c>cached</c> or <c>pulled</c>, and the registry's manifest digest.</summary>
public sealed record ArtifactOrigin(string Key, string Origin, string? ManifestDigest)
{
    public const string FileName = "artifact";

    /// <summary>Writes <c>log/artifact</c> next to make.log (what status --json shows).</summary>
    public void WriteTo(string logDir) =>
        File.WriteAllText(Path.Combine(logDir, FileName), $"key={Key}\norigin={Origin}\n" + (ManifestDigest is null ? string.Empty : $"manifest={ManifestDigest}\n"));

    /// <summary>Reads <c>log/artifact</c>; null when the build has none (dkms built it, or dkmsd before content keys).</summary>
    public static ArtifactOrigin? ReadFrom(string logDir)
    {
        var file = Path.Combine(logDir, FileName);
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            var values = File.ReadAllLines(file).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
                .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
            return values.TryGetValue("key", out var key) && values.TryGetValue("origin", out var origin)
                ? new ArtifactOrigin(key, origin, values.GetValueOrDefault("manifest"))
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
