namespace Dkms.Core.Tree;

/// <summary>The names a kernel module file takes: <c>name.ko</c>, plain or compressed (the one list of suffixes).</summary>
public static class ModuleFiles
{
    /// <summary>The compressions the kernel loads, in dkms's order (the last one found wins).</summary>
    public static IReadOnlyList<string> Compressions { get; } = [".gz", ".xz", ".zst"];

    /// <summary><c>.ko</c> and each compressed form of it.</summary>
    public static IReadOnlyList<string> Suffixes { get; } = [".ko", .. Compressions.Select(c => ".ko" + c)];

    /// <summary>The file of module <paramref name="name"/> in <paramref name="directory"/>, compressed or not; null when absent.</summary>
    public static string? Find(string directory, string name)
    {
        foreach (var suffix in Suffixes)
        {
            var path = Path.Combine(directory, name + suffix);
            if (File.Exists(path))
            {
                return path;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="fileName"/> is module <paramref name="name"/>'s file.</summary>
    public static bool IsFileOf(string fileName, string name) =>
        fileName.StartsWith(name, StringComparison.Ordinal) && Suffixes.Contains(fileName[name.Length..], StringComparer.Ordinal);
}
