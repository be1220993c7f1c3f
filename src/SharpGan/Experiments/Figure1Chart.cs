using SharpGan.Imaging;

namespace SharpGan.Experiments;

/// <summary>
/// Snapshots of the 1-D game drawn as the paper's Figure 1: data density (black dots), generator density (green),
/// discriminator (blue dashes) and, below the x axis, the map x = G(z) from a z line (lines from z to G(z)).
/// </summary>
public static class Figure1Chart
{
    // The z line and the x line of the mapping sit below the densities, in the band [ZLine, XLine] of the y axis.
    private const double XLine = -0.12, ZLine = -0.55;

    /// <summary>One panel a snapshot, side by side, to each path (.png or .svg).</summary>
    public static void Write(IReadOnlyList<Toy1DSnapshot> snapshots, params string[] paths) =>
        Charts.WriteRow(snapshots.Select(Panel).ToList(), panelWidth: 330, height: 380, paths);

    private static ChartPanel Panel(Toy1DSnapshot s)
    {
        // The middle of the grid (mean ± 3σ of the data), where everything happens.
        int n = s.X.Length, lo = n / 4, hi = 3 * n / 4;
        double xMin = s.X[lo], xMax = s.X[hi - 1];
        List<(double, double)> Curve(double[] ys) => Enumerable.Range(lo, hi - lo).Select(i => (s.X[i], ys[i])).ToList();
        var series = new List<ChartSeries>
        {
            new("p_data", "#000000", Curve(s.PData)) { Dotted = true },
            new("p_g", "#2ca02c", Curve(Smooth(s.PG))),
            new("D", "#1f4fd0", Curve(s.D), Dashed: true),
            new("", "#000000", [(xMin, XLine), (xMax, XLine)]),
            new("", "#000000", [(ZLeft(xMin, xMax), ZLine), (ZRight(xMin, xMax), ZLine)]),
        };
        foreach (var (z, x) in s.Mapping)
            series.Add(new("", "#555555", [(ZLeft(xMin, xMax) + z * (ZRight(xMin, xMax) - ZLeft(xMin, xMax)), ZLine), (Math.Clamp(x, xMin, xMax), XLine)]));
        return new ChartPanel(s.Label, "density, D", series)
        {
            XRange = (xMin, xMax),
            XLabel = "x (above), z (below)",
            Caption = $"JSD {s.Jsd:F3}, max|D − ½| {s.MaxAbsDMinusHalf:F2}",
            Possible = (ZLine - 0.05, double.PositiveInfinity),
            TicksFrom = 0,
        };
    }

    private static double ZLeft(double xMin, double xMax) => xMin + 0.15 * (xMax - xMin);

    private static double ZRight(double xMin, double xMax) => xMax - 0.15 * (xMax - xMin);

    // p_g from a histogram is jagged at plotting scale: a 5-bin moving average for display only (numbers use the raw one).
    private static double[] Smooth(double[] v)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            int a = Math.Max(0, i - 2), b = Math.Min(v.Length, i + 3);
            double sum = 0;
            for (int j = a; j < b; j++) sum += v[j];
            r[i] = sum / (b - a);
        }
        return r;
    }
}
