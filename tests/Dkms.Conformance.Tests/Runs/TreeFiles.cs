namespace Dkms.Conformance.Tests.Runs;

/// <summary>Lists the regular files of a tree without following symbolic links.</summary>
internal static class TreeFiles
{
    // Dot files count (make.log's .config); symlinks are neither listed nor followed (source -> /usr/src/...).
    private static readonly EnumerationOptions Options = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        IgnoreInaccessible = false,
    };

    /// <summary>Paths relative to <paramref name="root"/>, '/'-separated, sorted ordinally.</summary>
    public static IReadOnlyList<string> Walk(string root) =>
        Directory.Exists(root)
            ? [.. Directory.EnumerateFiles(root, "*", Options).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>True for kernel module files: <c>.ko</c>, possibly compressed.</summary>
    public static bool IsKernelModule(string path) =>
        path.EndsWith(".ko", StringComparison.Ordinal) || path.EndsWith(".ko.gz", StringComparison.Ordinal)
        || path.EndsWith(".ko.xz", StringComparison.Ordinal) || path.EndsWith(".ko.zst", StringComparison.Ordinal);

    /// <summary>A module file's name without directory and extension (<c>updates/dkms/ddcci.ko.xz</c> → <c>ddcci</c>).</summary>
    public static string ModuleName(string path)
    {
        var name = Path.GetFileName(path);
        return name[..name.LastIndexOf(".ko", StringComparison.Ordinal)];
    }
}
