using Dkms.Core.Platform;

namespace Dkms.Core.Tree;

/// <summary>
/// Changes to the trees that a crash cannot leave half-done (DESIGN principle 6): the new content is written under a
/// temporary name in the target's directory and flushed, renamed over the target, and the directory is flushed.
/// </summary>
internal static class AtomicFiles
{
    /// <summary>A temporary name beside <paramref name="target"/>; the <c>.dkms-tmp-</c> ones are cleaned at start-up.</summary>
    public static string TemporaryBeside(string target, string tag = "dkms-tmp") =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{tag}-{Environment.ProcessId}");

    /// <summary>
    /// Puts <paramref name="source"/>'s bytes (or, with <paramref name="asSymlink"/>, a link to it, mode 644 otherwise) at
    /// <paramref name="target"/>: readers see the old file or the new one, never a part. The temporary is removed on failure.
    /// </summary>
    public static void WriteCopy(string source, string target, bool asSymlink = false)
    {
        var dir = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(dir);
        var tmp = TemporaryBeside(target);
        try
        {
            if (asSymlink)
            {
                DeleteEntry(tmp);
                File.CreateSymbolicLink(tmp, source);
            }
            else
            {
                CopyFlushed(source, tmp);
                File.SetUnixFileMode(tmp, (UnixFileMode)Convert.ToInt32("644", 8));
            }

            Commit(tmp, target);
        }
        catch (IOException)
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }

            throw;
        }
    }

    /// <summary>
    /// Moves a file so that a crash leaves it whole at one place or the other: a flushed copy renamed into place before
    /// the source is removed (/var and /lib may be different filesystems).
    /// </summary>
    public static void MoveDurably(string from, string to)
    {
        var tmp = TemporaryBeside(to);
        CopyFlushed(from, tmp);
        File.SetUnixFileMode(tmp, File.GetUnixFileMode(from));
        Commit(tmp, to);
        File.Delete(from);
    }

    /// <summary>Points <paramref name="link"/> at <paramref name="target"/> atomically (a new link renamed over the old).</summary>
    public static void ReplaceSymlink(string link, string target)
    {
        var tmp = TemporaryBeside(link, "dkms-new");
        DeleteEntry(tmp);
        File.CreateSymbolicLink(tmp, target);
        if (Directory.Exists(link) && new FileInfo(link).LinkTarget is null)
        {
            // A real source directory (binaries-only tarball): rename(2) cannot replace it.
            Directory.Delete(link, recursive: true);
        }

        Commit(tmp, link);
    }

    /// <summary>
    /// Publishes a staged directory with one rename onto <paramref name="target"/> (absent or empty): every file in it is
    /// flushed first, so the published name never leads to data still in the page cache only.
    /// </summary>
    public static void PublishDirectory(string staging, string target)
    {
        foreach (var file in Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(file).LinkTarget is null)
            {
                FsyncFile(file);
            }
        }

        foreach (var dir in Directory.EnumerateDirectories(staging, "*", SearchOption.AllDirectories).Prepend(staging))
        {
            Libc.FsyncDirectory(dir);
        }

        Commit(staging, target);
    }

    /// <summary>Renames a finished temporary over its target and flushes the directory entry.</summary>
    public static void Commit(string temporary, string target)
    {
        Libc.RenameOrThrow(temporary, target);
        Libc.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
    }

    private static void CopyFlushed(string from, string to)
    {
        using var input = File.OpenRead(from);
        using var output = new FileStream(to, FileMode.Create, FileAccess.Write, FileShare.None);
        input.CopyTo(output);
        output.Flush(flushToDisk: true);
    }

    /// <summary>fsync through a read-only descriptor (Linux flushes the file whatever the descriptor's mode).</summary>
    public static void FsyncFile(string path)
    {
        var fd = Libc.open(path, 0);
        if (fd >= 0)
        {
            _ = Libc.fsync(fd);
            _ = Libc.close(fd);
        }
    }

    internal static void DeleteEntry(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }
}
