using System.Globalization;
using System.Text;

namespace SharpGan.Experiments;

/// <summary>
/// Draws snapshots of the 1-D game in the style of the paper's Figure 1: data density (black dots), generator
/// density (green), discriminator (blue dashes) and, underneath, the z line with arrows x = G(z) to the x line.
/// </summary>
public static class Figure1Svg
{
    private const int PanelWidth = 300, PanelHeight = 300, PlotTop = 40, PlotHeight = 170, Margin = 20;

    /// <summary>One panel per snapshot, side by side.</summary>
    public static string Render(IReadOnlyList<Toy1DSnapshot> panels)
    {
        var ci = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        int width = panels.Count * PanelWidth;
        svg.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{PanelHeight}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(ci, $"<rect width=\"{width}\" height=\"{PanelHeight}\" fill=\"white\"/>\n");
        for (int i = 0; i < panels.Count; i++) Panel(svg, panels[i], i * PanelWidth);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, Toy1DSnapshot s, int left)
    {
        var ci = CultureInfo.InvariantCulture;
        // Show the middle of the grid (mean ± 3σ of the data) where everything happens.
        int n = s.X.Length, lo = n / 4, hi = 3 * n / 4;
        double xMin = s.X[lo], xMax = s.X[hi - 1];
        double yMax = Math.Max(1.0, Math.Max(s.PData[lo..hi].Max(), Smooth(s.PG)[lo..hi].Max())) * 1.05;
        double Sx(double x) => left + Margin + (x - xMin) / (xMax - xMin) * (PanelWidth - 2 * Margin);
        double Sy(double y) => PlotTop + PlotHeight - y / yMax * PlotHeight;
        string Path(double[] ys) => string.Join(' ', Enumerable.Range(lo, hi - lo).Select(i => string.Create(ci, $"{Sx(s.X[i]):F1},{Sy(ys[i]):F1}")));
        svg.Append(ci, $"<text x=\"{left + Margin}\" y=\"22\" font-weight=\"bold\">{s.Label}</text>\n");
        svg.Append(ci, $"<text x=\"{left + Margin}\" y=\"{PlotTop + PlotHeight + 16}\" fill=\"#555\">JSD {s.Jsd:F3}  max|D−½| {s.MaxAbsDMinusHalf:F2}</text>\n");
        svg.Append(ci, $"<polyline fill=\"none\" stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"1,4\" stroke-linecap=\"round\" points=\"{Path(s.PData)}\"/>\n");
        svg.Append(ci, $"<polyline fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\" points=\"{Path(Smooth(s.PG))}\"/>\n");
        svg.Append(ci, $"<polyline fill=\"none\" stroke=\"#1f4fd0\" stroke-width=\"1.5\" stroke-dasharray=\"6,4\" points=\"{Path(s.D)}\"/>\n");
        // z line below, x line above it, and the map between them.
        double zY = PanelHeight - 22, xY = PanelHeight - 62;
        double zLeft = left + Margin + 40, zRight = left + PanelWidth - Margin - 40;
        svg.Append(ci, $"<line x1=\"{left + Margin}\" x2=\"{left + PanelWidth - Margin}\" y1=\"{xY}\" y2=\"{xY}\" stroke=\"black\"/>\n");
        svg.Append(ci, $"<line x1=\"{zLeft}\" x2=\"{zRight}\" y1=\"{zY}\" y2=\"{zY}\" stroke=\"black\"/>\n");
        svg.Append(ci, $"<text x=\"{left + Margin}\" y=\"{xY - 4}\">x</text><text x=\"{zLeft - 14}\" y=\"{zY + 4}\">z</text>\n");
        foreach (var (z, x) in s.Mapping)
        {
            double fromX = zLeft + z * (zRight - zLeft), toX = Math.Clamp(Sx(x), left + Margin, left + PanelWidth - Margin);
            svg.Append(ci, $"<line x1=\"{fromX:F1}\" y1=\"{zY}\" x2=\"{toX:F1}\" y2=\"{xY}\" stroke=\"#444\" stroke-width=\"0.8\"/>\n");
        }
    }

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
