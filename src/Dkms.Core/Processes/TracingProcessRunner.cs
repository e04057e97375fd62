using System.Globalization;
using Dkms.Core.Output;

namespace Dkms.Core.Processes;

/// <summary>
/// <c>--debug</c>: every program the engine runs, on stderr, as it starts and as it ends. dkms's <c>--debug</c> is
/// bash's <c>set -x</c>, a trace of the script itself; dkmsd has no script to trace, so it traces what a reader of
/// <c>set -x</c> looks for: the commands, where they ran, what they were given, and how they ended.
/// </summary>
public sealed class TracingProcessRunner(IProcessRunner inner, DkmsOutput output) : IProcessRunner
{
    /// <summary>Runs <paramref name="spec"/> through the wrapped runner, with a line before and one after.</summary>
    public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        output.ErrLine(StartLine(spec));
        var result = await inner.RunAsync(spec, cancellationToken).ConfigureAwait(false);
        output.ErrLine(EndLine(spec, result));
        return result;
    }

    /// <summary>The longest argument shown whole; longer ones (bash's evaluation script) are cut, saying by how much.</summary>
    internal const int LongestWord = 240;

    /// <summary><c>+ [sandboxed] [in DIR] [VAR=value…] program 'arg' … [&gt;&gt; FILE]</c>.</summary>
    public static string StartLine(ProcessSpec spec, string? how = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = new List<string> { "+" };
        if (how is not null)
        {
            parts.Add("[" + how + "]");
        }

        if (spec.WorkingDirectory is { } dir)
        {
            parts.Add("[in " + dir + "]");
        }

        if (spec.ExtraEnvironment is { Count: > 0 } extra)
        {
            parts.AddRange(extra.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => e.Key + "=" + Word(e.Value)));
        }

        parts.Add(Word(spec.FileName));
        parts.AddRange(spec.Arguments.Select(Word));
        if (spec.OutputFile is { } file)
        {
            parts.Add(">> " + Word(file));
        }

        return string.Join(' ', parts);
    }

    /// <summary><c>+ program: exit N after S s</c> (or <c>timed out</c>).</summary>
    public static string EndLine(ProcessSpec spec, ProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(result);
        var seconds = result.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
        var how = result.TimedOut ? "timed out" : "exit " + result.ExitCode.ToString(CultureInfo.InvariantCulture);
        return $"+ {Path.GetFileName(spec.FileName)}: {how} after {seconds} s";
    }

    /// <summary>
    /// A word as bash would need it, on one line: bare when it is plainly safe, single-quoted, or <c>$'…'</c> with
    /// escapes when it holds line breaks or control characters; cut after <see cref="LongestWord"/> characters.
    /// </summary>
    private static string Word(string value)
    {
        var cut = value.Length > LongestWord ? value[..LongestWord] : value;
        var more = value.Length > LongestWord ? $"…({value.Length - LongestWord} more characters)" : string.Empty;
        if (!cut.Any(char.IsControl))
        {
            return Hooks.ShellWord(cut) + more;
        }

        var sb = new System.Text.StringBuilder("$'");
        foreach (var c in cut)
        {
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '\'' => "\\'",
                '\\' => "\\\\",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return sb.Append('\'').Append(more).ToString();
    }
}
