using Dkms.Core.Tree;

namespace Dkms.Core.Artifacts;

/// <summary>
/// Artifacts this machine built or pulled, under <c>&lt;dkms_tree&gt;/.artifacts/&lt;key&gt;/</c>: the layer tar and the key
/// record. A rebuild with unchanged inputs (after unbuild, a reinstalled kernel package, a restored tree) uses it.
/// </summary>
internal sealed class LocalArtifactCache(string root)
{
    public const string TarName = "artifact.tar";

    public string Root => root;

    /// <summary>The cached tar of <paramref name="key"/>, or null.</summary>
    public string? Find(string key)
    {
        var tar = Path.Combine(Root, key, TarName);
        return File.Exists(tar) ? tar : null;
    }

    /// <summary>A fresh temporary file in the cache's own file system (so storing it is a rename).</summary>
    public string TemporaryTar()
    {
        var tmp = Path.Combine(Root, ".tmp");
        Directory.CreateDirectory(tmp);
        return Path.Combine(tmp, Path.GetRandomFileName() + ".tar");
    }

    /// <summary>Stores <paramref name="tar"/> (moved) and the key record under <paramref name="key"/>, all or nothing; returns the stored tar.</summary>
    public string Store(string key, byte[] record, string tar)
    {
        var staging = Path.Combine(Root, ".tmp", Path.GetRandomFileName());
        Directory.CreateDirectory(staging);
        File.Move(tar, Path.Combine(staging, TarName));
        File.WriteAllBytes(Path.Combine(staging, "key.json"), record);
        AtomicFiles.FsyncFile(Path.Combine(staging, "key.json"));
        var target = Path.Combine(Root, key);
        try
        {
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true); // the same inputs: a newer copy of an equivalent build
            }

            Directory.Move(staging, target);
        }
        catch (IOException) when (Directory.Exists(target))
        {
            Directory.Delete(staging, recursive: true); // another process stored the same key meanwhile
        }

        return Path.Combine(target, TarName);
    }
}
