using System.Globalization;
using System.Text;

namespace SharpGan.Imaging;

/// <summary>One line of a chart.</summary>
public sealed record ChartSeries(string Label, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>A panel of a chart: a title, a y label and its series (horizontal reference lines optional).</summary>
public sealed record ChartPanel(string Title, string YLabel, IReadOnlyList<ChartSeries> Series, IReadOnlyList<(double Y, string Label)>? ReferenceLines = null);

/// <summary>Renders stacked line-chart panels sharing an x axis as a standalone SVG (viewable in any browser).</summary>
public static class LineChart
{
    private const int Width = 900, PanelHeight = 260, Left = 70, Right = 20, Top = 40, Bottom = 40;

    /// <summary>Builds the SVG text.</summary>
    public static string Render(string xLabel, IReadOnlyList<ChartPanel> panels)
    {
        var ci = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        int height = panels.Count * PanelHeight;
        svg.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(ci, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        var allX = panels.SelectMany(p => p.Series).SelectMany(s => s.Points).Select(p => p.X).ToList();
        double xMin = allX.Count > 0 ? allX.Min() : 0, xMax = allX.Count > 0 ? allX.Max() : 1;
        if (xMax <= xMin) xMax = xMin + 1;
        for (int i = 0; i < panels.Count; i++) RenderPanel(svg, panels[i], i * PanelHeight, xMin, xMax, xLabel);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static void RenderPanel(StringBuilder svg, ChartPanel panel, int offsetY, double xMin, double xMax, string xLabel)
    {
        var ci = CultureInfo.InvariantCulture;
        var ys = panel.Series.SelectMany(s => s.Points).Select(p => p.Y).Where(double.IsFinite)
            .Concat(panel.ReferenceLines?.Select(r => r.Y) ?? []).ToList();
        double yMin = ys.Count > 0 ? ys.Min() : 0, yMax = ys.Count > 0 ? ys.Max() : 1;
        if (yMax - yMin < 1e-9) { yMin -= 0.5; yMax += 0.5; }
        double pad = 0.05 * (yMax - yMin);
        yMin -= pad; yMax += pad;
        int plotW = Width - Left - Right, plotH = PanelHeight - Top - Bottom, y0 = offsetY + Top;
        double Sx(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Sy(double y) => y0 + plotH - (y - yMin) / (yMax - yMin) * plotH;
        svg.Append(ci, $"<text x=\"{Left}\" y=\"{offsetY + 22}\" font-size=\"14\" font-weight=\"bold\">{Escape(panel.Title)}</text>\n");
        svg.Append(ci, $"<rect x=\"{Left}\" y=\"{y0}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int t = 0; t <= 4; t++)
        {
            double yv = yMin + (yMax - yMin) * t / 4, xv = xMin + (xMax - xMin) * t / 4;
            svg.Append(ci, $"<text x=\"{Left - 6}\" y=\"{Sy(yv) + 4:F1}\" text-anchor=\"end\">{yv:G3}</text>\n");
            svg.Append(ci, $"<text x=\"{Sx(xv):F1}\" y=\"{y0 + plotH + 16}\" text-anchor=\"middle\">{xv:G4}</text>\n");
        }
        svg.Append(ci, $"<text x=\"{Left + plotW / 2}\" y=\"{y0 + plotH + 32}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n");
        svg.Append(ci, $"<text x=\"16\" y=\"{y0 + plotH / 2}\" transform=\"rotate(-90 16 {y0 + plotH / 2})\" text-anchor=\"middle\">{Escape(panel.YLabel)}</text>\n");
        foreach (var (y, label) in panel.ReferenceLines ?? [])
        {
            svg.Append(ci, $"<line x1=\"{Left}\" x2=\"{Left + plotW}\" y1=\"{Sy(y):F1}\" y2=\"{Sy(y):F1}\" stroke=\"#999\" stroke-dasharray=\"2,3\"/>\n");
            svg.Append(ci, $"<text x=\"{Left + plotW - 4}\" y=\"{Sy(y) - 4:F1}\" text-anchor=\"end\" fill=\"#666\">{Escape(label)}</text>\n");
        }
        int legendX = Left + 10;
        foreach (var s in panel.Series)
        {
            var pts = s.Points.Where(p => double.IsFinite(p.Y)).Select(p => string.Create(ci, $"{Sx(p.X):F1},{Sy(p.Y):F1}"));
            string dash = s.Dashed ? " stroke-dasharray=\"6,4\"" : "";
            svg.Append(ci, $"<polyline fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.5\"{dash} points=\"{string.Join(' ', pts)}\"/>\n");
            svg.Append(ci, $"<line x1=\"{legendX}\" x2=\"{legendX + 20}\" y1=\"{y0 + 12}\" y2=\"{y0 + 12}\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(ci, $"<text x=\"{legendX + 24}\" y=\"{y0 + 16}\">{Escape(s.Label)}</text>\n");
            legendX += 40 + 7 * s.Label.Length;
        }
    }

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
