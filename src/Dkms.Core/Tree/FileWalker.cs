namespace Dkms.Core.Tree;

/// <summary>Recursive listing that never descends through a symbolic link (as <c>find</c> without <c>-L</c>).</summary>
public static class FileWalker
{
    /// <summary>Every directory below <paramref name="root"/> (not the root), links excluded, deepest first.</summary>
    public static List<string> Directories(string root)
    {
        var result = new List<string>();
        Walk(root, result, null, null);
        result.Reverse();
        return result;
    }

    /// <summary>Every regular file below <paramref name="root"/> whose name satisfies <paramref name="match"/>.</summary>
    public static List<string> Files(string root, Func<string, bool> match)
    {
        var result = new List<string>();
        Walk(root, null, result, match);
        return result;
    }

    private static void Walk(string dir, List<string>? dirs, List<string>? files, Func<string, bool>? match)
    {
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(dir).EnumerateFileSystemInfos();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.LinkTarget is not null)
            {
                continue;
            }

            if (entry is DirectoryInfo)
            {
                dirs?.Add(entry.FullName);
                Walk(entry.FullName, dirs, files, match);
            }
            else if (files is not null && match!(entry.Name))
            {
                files.Add(entry.FullName);
            }
        }
    }
}
