namespace Dkms.Conformance.Tests.Host;

/// <summary>Orders kernel versions by their numeric runs, so 6.1.0-56 sorts after 6.1.0-9.</summary>
internal sealed class KernelVersionComparer : IComparer<string>
{
    public static readonly KernelVersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = Tokens(x ?? string.Empty);
        var b = Tokens(y ?? string.Empty);
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var (na, nb) = (a[i], b[i]);
            var c = long.TryParse(na, out var la) && long.TryParse(nb, out var lb) ? la.CompareTo(lb) : string.CompareOrdinal(na, nb);
            if (c != 0)
            {
                return c;
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    private static List<string> Tokens(string s)
    {
        var tokens = new List<string>();
        var start = 0;
        for (var i = 1; i <= s.Length; i++)
        {
            if (i == s.Length || char.IsAsciiDigit(s[i]) != char.IsAsciiDigit(s[start]))
            {
                tokens.Add(s[start..i]);
                start = i;
            }
        }

        return tokens;
    }
}
