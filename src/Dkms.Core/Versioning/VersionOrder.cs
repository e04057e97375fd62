using System.Text;

namespace Dkms.Core.Versioning;

/// <summary>The two version orders dkms uses: its <c>VER()</c> key and <c>sort -V</c>.</summary>
public static class VersionOrder
{
    /// <summary>
    /// dkms's <c>VER()</c>: runs of one or two digits are zero-padded to three, then the keys are
    /// compared as strings. Runs of four or more digits are left alone (so 1000 &lt; 999, as dkms).
    /// </summary>
    public static string VerKey(string version)
    {
        var sb = new StringBuilder(version.Length + 8);
        var i = 0;
        while (i < version.Length)
        {
            var start = i;
            var digits = char.IsAsciiDigit(version[i]);
            while (i < version.Length && char.IsAsciiDigit(version[i]) == digits)
            {
                i++;
            }

            var run = version.AsSpan(start, i - start);
            if (digits && run.Length < 3)
            {
                sb.Append('0', 3 - run.Length);
            }

            sb.Append(run);
        }

        return sb.ToString();
    }

    /// <summary>Compares two versions the way dkms's <c>VER()</c> does (C locale).</summary>
    public static int CompareVer(string a, string b) => string.CompareOrdinal(VerKey(a), VerKey(b));

    /// <summary>GNU <c>sort -V</c> (Debian version ordering of digit and non-digit runs).</summary>
    public static int CompareNatural(string? a, string? b)
    {
        a ??= string.Empty;
        b ??= string.Empty;
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            var firstDiff = 0;
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ac = i < a.Length ? Weight(a[i]) : 0;
                var bc = j < b.Length ? Weight(b[j]) : 0;
                if (ac != bc)
                {
                    return ac - bc;
                }

                i++;
                j++;
            }

            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (firstDiff == 0)
                {
                    firstDiff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                return 1;
            }

            if (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                return -1;
            }

            if (firstDiff != 0)
            {
                return firstDiff;
            }
        }

        return string.CompareOrdinal(a, b);
    }

    /// <summary>A comparer for <see cref="CompareNatural"/>.</summary>
    public static IComparer<string> Natural { get; } = Comparer<string>.Create(CompareNatural);

    private static int Weight(char c) => c switch
    {
        '~' => -1,
        _ when char.IsAsciiDigit(c) => 0,
        _ when char.IsAsciiLetter(c) => c,
        _ => c + 256,
    };
}
