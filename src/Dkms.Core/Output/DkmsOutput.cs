using Dkms.Core.Errors;

namespace Dkms.Core.Output;

/// <summary>
/// dkms's two output streams: progress text on stdout; errors, warnings and deprecations on stderr, in the
/// words of <see cref="Messages"/>.
/// </summary>
/// <remarks>Thread-safe: concurrent builds may share one output; every call writes whole
/// lines under one lock and flushes, so the two streams interleave as dkms's do.</remarks>
public sealed class DkmsOutput
{
    private readonly TextWriter _out;
    private readonly TextWriter _err;
    private readonly Lock _gate = new();

    /// <param name="messages">The release whose words are printed; <see cref="DkmsMessages.Default"/> when null.</param>
    public DkmsOutput(TextWriter stdout, TextWriter stderr, bool verbose = false, DkmsMessages? messages = null)
    {
        _out = stdout;
        _err = stderr;
        Verbose = verbose;
        Messages = messages ?? DkmsMessages.Default;
    }

    /// <summary>An output that discards everything.</summary>
    public static DkmsOutput Null { get; } = new(TextWriter.Null, TextWriter.Null);

    /// <summary>Print raw commands instead of descriptions (<c>--verbose</c>).</summary>
    public bool Verbose { get; }

    /// <summary>The words this output prints.</summary>
    public DkmsMessages Messages { get; }

    public void Line(string text = "") => Write(_out, text + "\n");

    /// <summary>A line that a release may not print (null: nothing).</summary>
    public void LineIf(string? text)
    {
        if (text is not null)
        {
            Line(text);
        }
    }

    /// <summary>Text without a newline, for a step's "description..." and what follows it.</summary>
    public void Text(string text) => Write(_out, text);

    public void ErrLine(string text = "") => Write(_err, text + "\n");

    /// <summary>Text on stderr as it comes (a line relayed from dkmsd, with or without its newline).</summary>
    public void ErrText(string text) => Write(_err, text);

    /// <summary>dkms's <c>error</c>: <c>Error!</c> and the lines, on stderr.</summary>
    public void Error(IReadOnlyList<string> lines) => Write(_err, Messages.ErrorText(lines));

    public void Error(params string[] lines) => Error((IReadOnlyList<string>)lines);

    /// <summary>dkms's <c>warn</c>: <c>Warning:</c> and the lines, on stderr.</summary>
    public void Warn(params string[] lines) => Write(_err, Messages.WarningText(lines));

    /// <summary>A failure the way dkms's <c>die</c>/<c>diewarn</c> prints it, unless it was printed where it happened.</summary>
    public void Report(DkmsException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.AlreadyReported)
        {
            return;
        }

        if (e.IsWarning)
        {
            Warn([.. e.Lines]);
        }
        else
        {
            Error(e.Lines);
        }
    }

    public void Deprecated(string what) => Write(_err, Messages.DeprecatedText(what));

    private void Write(TextWriter writer, string text)
    {
        lock (_gate)
        {
            writer.Write(text);
            writer.Flush();
        }
    }
}
