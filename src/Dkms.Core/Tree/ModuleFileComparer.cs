using System.Collections.Concurrent;

namespace Dkms.Core.Tree;

/// <summary>
/// Whether two module files have the same bytes (status's built-versus-installed check, uninstall's "is this copy
/// ours"), remembered while both keep their size and modification time: an install replaces the file (a rename),
/// which changes them.
/// </summary>
public sealed class ModuleFileComparer
{
    private const int MaxEntries = 4096;
    private readonly ConcurrentDictionary<string, bool> _comparisons = new(StringComparer.Ordinal);
    private readonly Func<string, string, bool> _compare;

    public ModuleFileComparer()
        : this(BytesEqual)
    {
    }

    /// <summary>For testing: counts or fakes the comparison itself.</summary>
    internal ModuleFileComparer(Func<string, string, bool> compare) => _compare = compare;

    /// <summary><see cref="BytesEqual"/>, remembered while neither file changes.</summary>
    public bool FilesEqual(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (!fa.Exists || !fb.Exists)
        {
            return _compare(a, b);
        }

        var key = $"{a}\0{fa.Length}\0{fa.LastWriteTimeUtc.Ticks}\0{b}\0{fb.Length}\0{fb.LastWriteTimeUtc.Ticks}";
        if (_comparisons.TryGetValue(key, out var equal))
        {
            return equal;
        }

        if (_comparisons.Count >= MaxEntries)
        {
            _comparisons.Clear();
        }

        return _comparisons[key] = _compare(a, b);
    }

    /// <summary>Byte equality, following symbolic links (an install made with --symlink-modules is one).</summary>
    public static bool BytesEqual(string a, string b)
    {
        try
        {
            using var fa = File.OpenRead(a);
            using var fb = File.OpenRead(b);
            if (fa.Length != fb.Length)
            {
                return false;
            }
        }
        catch (IOException)
        {
            return false;
        }

        return File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }
}
