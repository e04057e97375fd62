namespace Dkms.Daemon.Automation;

/// <summary>
/// The source directories (<c>&lt;source_tree&gt;/&lt;module&gt;-&lt;version&gt;</c>) the daemon has already decided about,
/// persisted in <c>&lt;dkms_tree&gt;/.dkmsd/seen-sources</c>. Only a directory that appears after that is added on its
/// own: one a user removed with <c>remove</c> (its source stays, as with dkms) is never re-added behind their back.
/// </summary>
internal sealed class SeenSources(string file)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>False on the first start on these trees: then every existing directory counts as decided.</summary>
    public bool Exists { get; private set; }

    public void Load()
    {
        Exists = File.Exists(file);
        if (Exists)
        {
            _seen.UnionWith(File.ReadAllLines(file).Where(l => l.Length > 0));
        }
    }

    public bool Contains(string name) => _seen.Contains(name);

    /// <summary>Records decisions durably (temporary file, fsync, rename).</summary>
    public void Add(IEnumerable<string> names)
    {
        var before = _seen.Count;
        _seen.UnionWith(names);
        if (_seen.Count == before && Exists)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var tmp = file + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        using (var writer = new StreamWriter(stream))
        {
            foreach (var name in _seen.Order(StringComparer.Ordinal))
            {
                writer.Write(name + "\n");
            }

            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        File.Move(tmp, file, overwrite: true);
        Exists = true;
    }
}
