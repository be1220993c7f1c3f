using System.Globalization;
using System.Text;

namespace SharpGan.Imaging;

/// <summary>One scatter panel: real points (grey) under generated points (orange), with a caption.</summary>
public sealed record ScatterPanel(string Title, string Caption, IReadOnlyList<(float X, float Y)> Data, IReadOnlyList<(float X, float Y)> Samples);

/// <summary>Side-by-side 2-D scatter plots as SVG, sharing one square window.</summary>
public static class ScatterSvg
{
    private const int Size = 260, Pad = 20, Top = 36, Bottom = 30;

    /// <summary>Renders panels over [−extent, extent]².</summary>
    public static string Render(IReadOnlyList<ScatterPanel> panels, double extent)
    {
        var ci = CultureInfo.InvariantCulture;
        int width = panels.Count * (Size + Pad) + Pad, height = Top + Size + Bottom;
        var svg = new StringBuilder();
        svg.Append(ci, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(ci, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        for (int p = 0; p < panels.Count; p++)
        {
            int left = Pad + p * (Size + Pad);
            double S(double v) => (v + extent) / (2 * extent) * Size;
            svg.Append(ci, $"<text x=\"{left}\" y=\"22\" font-weight=\"bold\">{panels[p].Title}</text>\n");
            svg.Append(ci, $"<rect x=\"{left}\" y=\"{Top}\" width=\"{Size}\" height=\"{Size}\" fill=\"none\" stroke=\"#888\"/>\n");
            foreach (var (pts, color, r) in new[] { (panels[p].Data, "#999", 1.2), (panels[p].Samples, "#ff7f0e", 1.2) })
                foreach (var (x, y) in pts)
                    if (Math.Abs(x) < extent && Math.Abs(y) < extent)
                        svg.Append(ci, $"<circle cx=\"{left + S(x):F1}\" cy=\"{Top + Size - S(y):F1}\" r=\"{r}\" fill=\"{color}\" fill-opacity=\"0.6\"/>\n");
            svg.Append(ci, $"<text x=\"{left}\" y=\"{Top + Size + 18}\" fill=\"#333\">{panels[p].Caption}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
