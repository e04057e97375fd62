using System.Text;

namespace Dkms.Core.Docs;

/// <summary>
/// A man page in roff's man macros, written from the programs' own tables (dkmsctl's verbs and options, dkmsd's
/// switches) so that the page cannot drift from what the parser accepts.
/// </summary>
public sealed class Roff
{
    private readonly StringBuilder _text = new();

    /// <param name="name">The program, as the page's title (upper-cased).</param>
    /// <param name="section">1 for users' commands, 8 for administration.</param>
    /// <param name="manual">The manual's name in the page's header.</param>
    public Roff(string name, int section, string manual)
    {
        _text.Append(".\\\" Generated from the program's own tables by scripts/generate-docs: do not edit.\n")
            .Append(".TH ").Append(Escape(name.ToUpperInvariant())).Append(' ').Append(section)
            .Append(" \"\" \"dkmsd\" \"").Append(Escape(manual)).Append("\"\n");
    }

    /// <summary>A section heading (<c>.SH</c>).</summary>
    public Roff Section(string title)
    {
        _text.Append(".SH ").Append(Escape(title.ToUpperInvariant())).Append('\n');
        return this;
    }

    /// <summary>A paragraph of plain text.</summary>
    public Roff Paragraph(string text)
    {
        _text.Append(".PP\n").Append(Line(text)).Append('\n');
        return this;
    }

    /// <summary>A tagged paragraph (<c>.TP</c>): the <paramref name="spellings"/> in bold, <paramref name="value"/> in italics.</summary>
    public Roff Item(IEnumerable<string> spellings, string? value, string text)
    {
        _text.Append(".TP\n").Append(string.Join(", ", spellings.Select(s => $"\\fB{Escape(s)}\\fR")));
        if (value is not null)
        {
            _text.Append(" \\fI").Append(Escape(value)).Append("\\fR");
        }

        _text.Append('\n').Append(Line(text)).Append('\n');
        return this;
    }

    /// <summary>Raw roff lines (a synopsis), already escaped.</summary>
    public Roff Raw(string roff)
    {
        _text.Append(roff.TrimEnd('\n')).Append('\n');
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>Text as roff shows it: backslashes and hyphens escaped.</summary>
    public static string Escape(string text) => text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);

    /// <summary>A text line that cannot be taken for a request (a leading dot or quote).</summary>
    private static string Line(string text)
    {
        var escaped = Escape(text);
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }
}
