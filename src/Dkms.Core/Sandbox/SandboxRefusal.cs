using System.Text.RegularExpressions;
using Dkms.Core.Validation;

namespace Dkms.Core.Sandbox;

/// <summary>
/// What the sandbox refused a step that failed, read from the step's own output: the first line where a tool reports
/// EROFS ("Read-only file system": a write outside the writable view), EACCES ("Permission denied") or EPERM ("Operation
/// not permitted": the build user is not root) with the path it names; the last two only for an absolute path outside
/// the writable view.
/// </summary>
/// <remarks>
/// Tools word these differently (<c>touch: cannot touch '/x': …</c>, <c>bash: /x: …</c>, <c>ld: cannot open output file /x:
/// …</c>, Python's <c>[Errno 30] …: '/x'</c>); the errno text is the C library's (the sandbox passes LANG/LC_ALL through,
/// so a translated message is not recognised: the step then fails with its own words only). A line whose path lies
/// inside the writable view is passed over for one outside it when there is one.
/// </remarks>
/// <param name="Path">The path the tool named, as written (absolute, or relative to a directory make chose), or null.</param>
/// <param name="Reason">The errno text: "Read-only file system", "Permission denied" or "Operation not permitted".</param>
/// <param name="Line">The tool's line.</param>
public sealed partial record SandboxRefusal(string? Path, string Reason, string Line)
{
    /// <summary>The errno texts looked for, EROFS first (the sandbox's own answer to a write outside the view).</summary>
    /// <summary>How the first line of <see cref="Explain"/> starts (a job's first error line prefers it: it is the cause).</summary>
    public const string Headline = "The build sandbox refused ";

    private const string ReadOnly = "Read-only file system";

    private static readonly string[] Reasons = [ReadOnly, "Permission denied", "Operation not permitted"];

    /// <summary>The most telling refusal in <paramref name="lines"/>, or null.</summary>
    /// <param name="lines">The step's output.</param>
    /// <param name="writable">The directories the step could write.</param>
    public static SandboxRefusal? Find(IEnumerable<string> lines, IReadOnlyList<string> writable)
    {
        SandboxRefusal? inside = null;
        foreach (var line in lines)
        {
            if (Parse(line) is not { } refusal)
            {
                continue;
            }

            var absolute = refusal.Path is { } p && p.StartsWith('/');
            var within = absolute && writable.Any(w => PathGuard.IsWithin(w, System.IO.Path.GetFullPath(refusal.Path!)));
            if (refusal.Reason != ReadOnly)
            {
                // EACCES and EPERM also come from a package's own mistakes (a script not executable): only an absolute
                // path outside the view says the sandbox is the cause.
                if (absolute && !within)
                {
                    return refusal;
                }

                continue;
            }

            if (!within)
            {
                return refusal;
            }

            inside ??= refusal;
        }

        return inside;
    }

    /// <summary>The refusal one line reports, or null.</summary>
    public static SandboxRefusal? Parse(string line)
    {
        foreach (var reason in Reasons)
        {
            var at = line.IndexOf(reason, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var before = line[..at];
            var after = line[(at + reason.Length)..];
            var path = PathOf(before, after);
            return new SandboxRefusal(path, reason, line.Trim());
        }

        return null;
    }

    /// <summary>The lines dkmsctl adds to the step's failure: what was refused and how to opt out.</summary>
    public string[] Explain(string buildDirectory)
    {
        var what = Reason switch
        {
            ReadOnly => Path is null ? "a write outside the build directory" : $"writing {Path}",
            "Permission denied" => Path is null ? "access to a path" : $"access to {Path}",
            _ => Path is null ? "an operation only root may do" : $"an operation on {Path} that only root may do",
        };
        return
        [
            $"{Headline}{what} ({Reason}): package code runs as an unprivileged build user and may write only "
                + $"its build directory {buildDirectory} and the module's own source directory; the rest of the system is read-only.",
            $"  the step said: {Line}",
            "To build this module unsandboxed, as dkms does (package code runs as root), set build_sandbox=\"none\" in framework.conf "
                + "(/etc/dkms/framework.conf or a file in /etc/dkms/framework.conf.d/).",
        ];
    }

    /// <summary>The path a tool names just before the errno text ("'x': ", "x: "), else the first one after it (Python's "…: '/x'").</summary>
    private static string? PathOf(string before, string after)
    {
        var head = before.TrimEnd().TrimEnd(':').TrimEnd();
        if (head.Length > 0 && Quotes.Contains(head[^1]))
        {
            var open = head.LastIndexOfAny(Quotes.ToCharArray(), head.Length - 2);
            return open >= 0 && open < head.Length - 2 ? head[(open + 1)..^1] : null;
        }

        var token = head.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (token is not null && token.Contains('/', StringComparison.Ordinal))
        {
            return token;
        }

        var quoted = Quoted().Match(after);
        return quoted.Success ? quoted.Groups[1].Value : null;
    }

    private const string Quotes = "'‘’\"`";

    [GeneratedRegex(@"['‘""`](/[^'’""`]*)['’""`]")]
    private static partial Regex Quoted();
}
