using Dkms.Bench.Benches;
using ScottPlot;

namespace Dkms.Bench.Report;

/// <summary>The PNG plots next to RESULTS.md (ScottPlot 5).</summary>
internal static class Plots
{
    /// <summary>Status time (log) against status lines (log), one line per tool.</summary>
    public static void Status(IReadOnlyList<StatusRow> rows, string path)
    {
        var plt = new Plot();
        var synthetic = rows.Where(r => r.Tree.StartsWith("synthetic", StringComparison.Ordinal)).OrderBy(r => r.Lines).ToList();
        void Series(string label, Func<StatusRow, double> y, Color color, LinePattern pattern)
        {
            var s = plt.Add.Scatter(synthetic.Select(r => Math.Log10(r.Lines)).ToArray(), synthetic.Select(r => Math.Log10(y(r))).ToArray());
            s.LegendText = label;
            s.Color = color;
            s.LinePattern = pattern;
            s.MarkerSize = 7;
        }

        Series("dkms 3.0.10", r => r.Dkms.Median, Colors.FireBrick, LinePattern.Solid);
        Series("dkmsctl → dkmsd (AOT)", r => r.Daemon.Median, Colors.SteelBlue, LinePattern.Solid);
        Series("dkmsctl --offline (AOT)", r => r.Offline.Median, Colors.SeaGreen, LinePattern.Dashed);
        foreach (var corpus in rows.Except(synthetic))
        {
            var m = plt.Add.Markers(new[] { Math.Log10(corpus.Lines), Math.Log10(corpus.Lines), Math.Log10(corpus.Lines) },
                new[] { Math.Log10(corpus.Dkms.Median), Math.Log10(corpus.Daemon.Median), Math.Log10(corpus.Offline.Median) },
                MarkerShape.OpenDiamond, 12, Colors.Black);
            m.LegendText = corpus.Tree;
        }

        LogAxis(plt.Axes.Bottom, v => $"{Math.Pow(10, v):0}");
        LogAxis(plt.Axes.Left, v => Math.Pow(10, v) switch { < 1e-3 => $"{Math.Pow(10, v) * 1e6:0} µs", < 1 => $"{Math.Pow(10, v) * 1e3:0} ms", var s => $"{s:0} s" });
        plt.Title("status, whole process (median)");
        plt.XLabel("status lines (modules × kernels)");
        plt.YLabel("wall time");
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 1000, 650);
    }

    /// <summary>One bar per job of the autoinstall batch, its phases coloured, from the moment the headers appeared.</summary>
    public static void Timeline(AutoinstallResult r, string path)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var colors = new Dictionary<string, Color>(StringComparer.Ordinal);
        var ticks = new List<Tick>();
        for (var i = 0; i < r.Jobs.Count; i++)
        {
            var j = r.Jobs[i];
            var y = r.Jobs.Count - i;
            var outline = plt.Add.Rectangle(j.Start, j.End, y - 0.4, y + 0.4);
            outline.FillStyle.Color = Colors.LightGray;
            outline.LineStyle.Color = j.State.Contains("Succeeded", StringComparison.Ordinal) ? Colors.Black : Colors.Red;
            foreach (var (name, start, end) in j.Phases.Where(p => p.Name != "running"))
            {
                if (!colors.TryGetValue(name, out var c))
                {
                    colors[name] = c = palette.GetColor(colors.Count);
                    plt.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = c });
                }

                var p = plt.Add.Rectangle(start, Math.Max(end, start + 0.01), y - 0.3, y + 0.3);
                p.FillStyle.Color = c;
                p.LineStyle.Width = 0;
            }

            ticks.Add(new Tick(y, j.Label));
        }

        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. ticks]);
        var settled = plt.Add.VerticalLine(r.DaemonWall);
        settled.LegendText = $"kernel settled ({r.DaemonWall:0.0} s)";
        settled.Color = Colors.Black;
        var dkms = plt.Add.VerticalLine(r.DkmsWall);
        dkms.LegendText = $"dkms autoinstall done ({r.DkmsWall:0.0} s)";
        dkms.Color = Colors.FireBrick;
        dkms.LinePattern = LinePattern.Dashed;
        var bound = plt.Add.VerticalLine(r.Bound);
        bound.LegendText = $"bound ({r.Bound:0.0} s)";
        bound.Color = Colors.Gray;
        bound.LinePattern = LinePattern.Dotted;
        plt.Title($"dkmsd autoinstall batch, --workers {r.Workers} on {r.Cores} cores");
        plt.XLabel("seconds since the headers appeared");
        plt.ShowLegend(Edge.Right);
        plt.SavePng(path, 1100, 120 + (32 * Math.Max(r.Jobs.Count, 4)));
    }

    private static void LogAxis(IAxis axis, Func<double, string> label) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = label,
        };
}
