using System.Globalization;

namespace Dkms.Bench.Infrastructure;

/// <summary>Median, min and max of a set of samples (seconds unless said otherwise).</summary>
internal sealed record Summary(double Median, double Min, double Max, int N)
{
    public static Summary Of(IReadOnlyCollection<double> xs)
    {
        if (xs.Count == 0)
        {
            return new Summary(double.NaN, double.NaN, double.NaN, 0);
        }

        var s = xs.Order().ToArray();
        var median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
        return new Summary(median, s[0], s[^1], s.Length);
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Seconds as a short human figure (µs, ms or s).</summary>
    public static string Time(double seconds) => double.IsNaN(seconds) ? "–"
        : seconds < 1e-3 ? (seconds * 1e6).ToString("0", CultureInfo.InvariantCulture) + " µs"
        : seconds < 1 ? (seconds * 1e3).ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : seconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    public string Cells => $"{Time(Median)} | {Time(Min)} | {Time(Max)} | {N}";
}
