namespace Dkms.Core.Output;

/// <summary>
/// dkms's two output streams with its conventions: <c>Error!</c> after a blank line on stderr,
/// <c>Warning:</c> and <c>Deprecated feature:</c> on stderr, progress text on stdout.
/// </summary>
/// <remarks>Thread-safe: concurrent builds may share one output; every call writes whole
/// lines under one lock and flushes, so the two streams interleave as dkms's do.</remarks>
public sealed class DkmsOutput
{
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly Lock _gate = new();

    public DkmsOutput(TextWriter stdout, TextWriter stderr, bool verbose = false)
    {
        _out = stdout;
        _err = stderr;
        Verbose = verbose;
    }

    /// <summary>An output that discards everything.</summary>
    public static DkmsOutput Null { get; } = new(TextWriter.Null, TextWriter.Null);

    /// <summary>Print raw commands instead of descriptions (<c>--verbose</c>).</summary>
    public bool Verbose { get; }

    public void Line(string text = "") => Write(_out, text + "\n");

    /// <summary>Text without a newline, for "Building module(s)..." followed by " done.".</summary>
    public void Text(string text) => Write(_out, text);

    public void ErrLine(string text = "") => Write(_err, text + "\n");

    /// <summary>dkms's <c>error</c>: a blank line, <c>Error! first</c>, then the other lines.</summary>
    public void Error(IReadOnlyList<string> lines)
    {
        var text = "\nError! " + (lines.Count > 0 ? lines[0] : string.Empty) + "\n";
        for (var i = 1; i < lines.Count; i++)
        {
            text += lines[i] + "\n";
        }

        Write(_err, text);
    }

    public void Error(params string[] lines) => Error((IReadOnlyList<string>)lines);

    /// <summary>dkms's <c>warn</c>: <c>Warning: msg</c> on stderr, no blank line before it.</summary>
    public void Warn(params string[] lines)
    {
        var text = "Warning: " + (lines.Length > 0 ? lines[0] : string.Empty) + "\n";
        for (var i = 1; i < lines.Length; i++)
        {
            text += lines[i] + "\n";
        }

        Write(_err, text);
    }

    public void Deprecated(string what) => Write(_err, "Deprecated feature: " + what + "\n");

    private void Write(TextWriter writer, string text)
    {
        lock (_gate)
        {
            writer.Write(text);
            writer.Flush();
        }
    }
}
