using ScottPlot;
using SharpGan.IO;
using SkiaSharp;

namespace SharpGan.Imaging;

/// <summary>One line of a chart; <paramref name="Color"/> is "#rrggbb".</summary>
public sealed record ChartSeries(string Label, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false)
{
    /// <summary>Dotted instead of solid (Figure 1's data density).</summary>
    public bool Dotted { get; init; }
}

/// <summary>A panel of a chart: a title, a y label and its series, with optional horizontal reference lines.</summary>
public sealed record ChartPanel(string Title, string YLabel, IReadOnlyList<ChartSeries> Series, IReadOnlyList<(double Y, string Label)>? ReferenceLines = null)
{
    /// <summary>The values the quantity can take (a probability: [0, 1]; a loss: [0, ∞)); the y axis never goes beyond them.</summary>
    public (double Min, double Max) Possible { get; init; } = (double.NegativeInfinity, double.PositiveInfinity);

    /// <summary>The x range to show (null: the data's).</summary>
    public (double Min, double Max)? XRange { get; init; }

    /// <summary>The x label of this panel (null: the chart's).</summary>
    public string? XLabel { get; init; }

    /// <summary>The lowest y that gets a tick (null: ticks over the whole axis).</summary>
    public double? TicksFrom { get; init; }

    /// <summary>A line under the plot (a caption with numbers).</summary>
    public string? Caption { get; init; }
}

/// <summary>One scatter panel: real points (grey) under generated points (orange), with a caption.</summary>
public sealed record ScatterPanel(string Title, string Caption, IReadOnlyList<(float X, float Y)> Data, IReadOnlyList<(float X, float Y)> Samples);

/// <summary>
/// Charts drawn with ScottPlot: rounded ticks, each y axis within what its quantity can take, legends outside the data,
/// written as PNG (for viewing) or SVG (for pages that embed them) by the path's extension, atomically.
/// </summary>
public static class Charts
{
    private const int Width = 900, PanelHeight = 280;

    /// <summary>Stacked panels sharing the x axis, one a row.</summary>
    public static void WriteLines(string xLabel, IReadOnlyList<ChartPanel> panels, params string[] paths)
    {
        var figure = Figure(panels.Select(p => LinePlot(p, p.XLabel ?? xLabel)), new ScottPlot.MultiplotLayouts.Rows());
        Save(figure, Width, PanelHeight * panels.Count, paths);
    }

    /// <summary>Panels side by side, each <paramref name="panelWidth"/> wide.</summary>
    public static void WriteRow(IReadOnlyList<ChartPanel> panels, int panelWidth, int height, params string[] paths)
    {
        var figure = Figure(panels.Select(p => LinePlot(p, p.XLabel ?? "")), new ScottPlot.MultiplotLayouts.Columns());
        Save(figure, panelWidth * panels.Count, height, paths);
    }

    /// <summary>Side-by-side 2-D scatter panels over the square [−extent, extent]².</summary>
    public static void WriteScatter(IReadOnlyList<ScatterPanel> panels, double extent, params string[] paths)
    {
        var plots = new List<Plot>();
        foreach (var panel in panels)
        {
            var plot = new Plot();
            foreach (var (points, color, label) in new[] { (panel.Data, "#999999", "data"), (panel.Samples, "#ff7f0e", "G(z)") })
            {
                var dots = plot.Add.ScatterPoints(points.Select(p => (double)p.X).ToArray(), points.Select(p => (double)p.Y).ToArray());
                (dots.Color, dots.MarkerSize, dots.LegendText) = (Color.FromHex(color).WithAlpha(0.6), 3, label);
            }
            plot.Title(panel.Title, 13);
            plot.XLabel(panel.Caption, 12);
            plot.Axes.SetLimits(-extent, extent, -extent, extent);
            plot.ShowLegend(Edge.Bottom);
            plots.Add(plot);
        }
        Save(Figure(plots, new ScottPlot.MultiplotLayouts.Columns()), 300 * panels.Count, 360, paths);
    }

    // A Multiplot starts holding one plot of its own: it is built from the first of ours instead.
    private static Multiplot Figure(IEnumerable<Plot> plots, IMultiplotLayout layout)
    {
        var list = plots.ToList();
        if (list.Count == 0) throw new ArgumentException("a chart needs at least one panel", nameof(plots));
        var figure = new Multiplot(list[0]) { Layout = layout };
        foreach (var plot in list.Skip(1)) figure.AddPlot(plot);
        return figure;
    }

    private static Plot LinePlot(ChartPanel panel, string xLabel)
    {
        var plot = new Plot();
        foreach (var s in panel.Series)
        {
            var finite = s.Points.Where(p => double.IsFinite(p.Y)).ToArray();
            if (finite.Length == 0) continue;
            var line = plot.Add.ScatterLine(finite.Select(p => p.X).ToArray(), finite.Select(p => p.Y).ToArray());
            (line.Color, line.LineWidth, line.LegendText) = (Color.FromHex(s.Color), 1.5f, s.Label);
            if (s.Dashed) line.LinePattern = LinePattern.Dashed;
            if (s.Dotted) (line.LinePattern, line.LineWidth) = (LinePattern.Dotted, 2.5f);
        }
        foreach (var (y, label) in panel.ReferenceLines ?? [])
        {
            // Named in the legend rather than by a label on the line, which would cover data or the axis.
            var reference = plot.Add.HorizontalLine(y);
            (reference.Color, reference.LinePattern, reference.LineWidth, reference.LegendText) = (Color.FromHex("#888888"), LinePattern.Dotted, 1, label);
        }
        plot.Title(panel.Title, 14);
        plot.YLabel(panel.YLabel, 12);
        plot.XLabel(panel.Caption is null ? xLabel : $"{xLabel}\n{panel.Caption}", 12);
        var (low, high) = YLimits(panel);
        plot.Axes.SetLimitsY(low, high);
        if (panel.XRange is { } x) plot.Axes.SetLimitsX(x.Min, x.Max);
        else if (XLimits(panel) is { } auto) plot.Axes.SetLimitsX(auto.Min, auto.Max);
        if (YTicks(panel, low, high) is { } ticks) plot.Axes.Left.TickGenerator = ticks;
        // Above the plot, between title and data: never over a line, and every panel keeps the same width, so stacked
        // panels' x axes align.
        if (panel.Series.Any(s => s.Label.Length > 0) || panel.ReferenceLines is { Count: > 0 }) plot.ShowLegend(Edge.Top); else plot.HideLegend();
        return plot;
    }

    /// <summary>The data's span (reference lines included) padded by 5 %, cut to what the quantity can take.</summary>
    public static (double Low, double High) YLimits(ChartPanel panel)
    {
        var ys = panel.Series.SelectMany(s => s.Points).Select(p => p.Y).Where(double.IsFinite)
            .Concat(panel.ReferenceLines?.Select(r => r.Y) ?? []).ToList();
        double low = ys.Count > 0 ? ys.Min() : 0, high = ys.Count > 0 ? ys.Max() : 1;
        if (high - low < 1e-9) (low, high) = (low - 0.5, high + 0.5);
        double pad = 0.05 * (high - low);
        return (Math.Max(panel.Possible.Min, low - pad), Math.Min(panel.Possible.Max, high + pad));
    }

    // Ticks only where the quantity lives (a panel that draws below its values, as Figure 1's z → x band does, labels none
    // of that band): a round step giving 4–8 ticks.
    private static ScottPlot.TickGenerators.NumericManual? YTicks(ChartPanel panel, double low, double high)
    {
        if (panel.TicksFrom is not { } from || from <= low) return null;
        double span = high - from, step = Math.Pow(10, Math.Floor(Math.Log10(span / 4)));
        foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (span / (step * m) <= 7) { step *= m; break; }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (double t = from; t <= high + 1e-9; t += step) ticks.AddMajor(Math.Round(t, 10), Math.Round(t, 10).ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
        return ticks;
    }

    private static (double Min, double Max)? XLimits(ChartPanel panel)
    {
        var xs = panel.Series.SelectMany(s => s.Points).Select(p => p.X).ToList();
        if (xs.Count == 0) return null;
        double min = xs.Min(), max = xs.Max();
        return max > min ? (min, max) : (min - 0.5, max + 0.5);
    }

    private static void Save(Multiplot figure, int width, int height, IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            string extension = Path.GetExtension(path).ToLowerInvariant();
            byte[] bytes = extension switch
            {
                ".png" => figure.Render(width, height).GetImageBytes(ImageFormat.Png, 100),
                ".svg" => Svg(figure, width, height),
                _ => throw new ArgumentException($"{path}: charts are written as .png or .svg", nameof(paths)),
            };
            AtomicFile.WriteAllBytes(path, bytes);
        }
    }

    // ScottPlot saves a multi-panel figure only as a bitmap; Skia's SVG canvas records the same drawing as vectors.
    private static byte[] Svg(Multiplot figure, int width, int height)
    {
        using var stream = new MemoryStream();
        using (var managed = new SKManagedWStream(stream))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), managed))
            figure.Render(canvas, new PixelRect(0, width, height, 0));
        return stream.ToArray();
    }
}
