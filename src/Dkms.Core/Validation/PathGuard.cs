using Dkms.Core.Errors;

namespace Dkms.Core.Validation;

/// <summary>
/// Resolves relative paths that come from dkms.conf (or from archives) below a root and refuses
/// any that would leave it, through <c>..</c>, an absolute part, or a symbolic link.
/// </summary>
public static class PathGuard
{
    /// <summary>
    /// Joins <paramref name="relative"/> to <paramref name="root"/> and checks the result, with every
    /// symbolic link on the existing part of the path resolved, stays inside the root.
    /// </summary>
    /// <param name="directive">The dkms.conf directive the path came from, named in the error.</param>
    public static string Inside(string root, string relative, string directive)
    {
        if (relative.Contains('\0', StringComparison.Ordinal) || relative.Any(char.IsControl))
        {
            throw Escape(directive, relative, root);
        }

        var rootFull = Path.GetFullPath(root);
        var joined = Path.GetFullPath(Path.Combine(rootFull, relative.TrimStart('/')));
        if (!IsWithin(rootFull, joined))
        {
            throw Escape(directive, relative, root);
        }

        // Resolve links on the part of the path that exists: a link inside the tree may point out of it.
        var realRoot = RealPath(rootFull);
        var realJoined = RealPath(joined);
        if (!IsWithin(realRoot, realJoined))
        {
            throw Escape(directive, relative, root);
        }

        return joined;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or below it (both full paths).</summary>
    public static bool IsWithin(string root, string path)
    {
        var r = root.TrimEnd('/');
        return path == r || path.StartsWith(r + "/", StringComparison.Ordinal) || r.Length == 0;
    }

    /// <summary>
    /// The canonical path: links resolved on the longest existing prefix, the rest appended
    /// (as <c>realpath -m</c>).
    /// </summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var existing = full;
        var rest = new Stack<string>();
        while (!Path.Exists(existing) && !IsLink(existing))
        {
            var parent = Path.GetDirectoryName(existing);
            if (parent is null)
            {
                break;
            }

            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }

        string resolved;
        try
        {
            resolved = ResolveAll(existing, 0);
        }
        catch (IOException)
        {
            resolved = existing;
        }

        while (rest.Count > 0)
        {
            resolved = Path.Combine(resolved, rest.Pop());
        }

        return resolved;
    }

    private static string ResolveAll(string full, int depth)
    {
        if (depth > 40)
        {
            throw new IOException("Too many levels of symbolic links: " + full);
        }

        // Walk component by component so links in the middle are followed too.
        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var info = new FileInfo(next);
            if (info.LinkTarget is { } target)
            {
                var resolvedTarget = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
                var remaining = string.Join('/', parts.Skip(i + 1));
                return ResolveAll(remaining.Length == 0 ? resolvedTarget : Path.Combine(resolvedTarget, remaining), depth + 1);
            }

            current = next;
        }

        return current;
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static DkmsException Escape(string directive, string value, string root) =>
        new(DkmsErrorKind.BadConfiguration, 8,
            $"{directive} '{NameValidator.Printable(value)}' leads outside {root}.",
            "Refusing to use it; nothing was written.");
}
