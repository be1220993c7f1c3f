using System.Globalization;
using System.Text;
using SharpGan.Imaging;

namespace SharpGan.Gan;

/// <summary>One metrics.csv row: averages over the iterations since the previous row.</summary>
public sealed record MetricsRow(long Step, double Epoch, double DLoss, double GLoss, double DReal, double DFake, double LearningRate, double Momentum, double SamplesPerSecond);

/// <summary>
/// metrics.csv, append-only while training. On resume, rows past the checkpoint's step are dropped (they
/// describe iterations that will be re-run), so the file always matches the weights.
/// </summary>
public sealed class MetricsLog
{
    private const string Header = "step,epoch,d_loss,g_loss,d_real,d_fake,lr,momentum,samples_per_sec";
    private readonly string _path;
    private readonly List<MetricsRow> _rows = new();

    /// <summary>Rows so far.</summary>
    public IReadOnlyList<MetricsRow> Rows => _rows;

    /// <summary>Opens (or creates) the log, keeping only rows with step ≤ <paramref name="keepThroughStep"/>.</summary>
    public MetricsLog(string path, long keepThroughStep)
    {
        _path = path;
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path).Skip(1))
            {
                var row = Parse(line);
                if (row is not null && row.Step <= keepThroughStep) _rows.Add(row);
            }
        }
        var text = new StringBuilder(Header + "\n");
        foreach (var r in _rows) text.Append(Format(r)).Append('\n');
        Tensors.AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Appends a row.</summary>
    public void Append(MetricsRow row)
    {
        _rows.Add(row);
        File.AppendAllText(_path, Format(row) + "\n");
    }

    private static string Format(MetricsRow r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Step},{r.Epoch:F4},{r.DLoss:G6},{r.GLoss:G6},{r.DReal:G6},{r.DFake:G6},{r.LearningRate:G6},{r.Momentum:G6},{r.SamplesPerSecond:F1}");

    private static MetricsRow? Parse(string line)
    {
        var f = line.Split(',');
        if (f.Length != 9) return null;
        var ci = CultureInfo.InvariantCulture;
        try
        {
            return new MetricsRow(long.Parse(f[0], ci), double.Parse(f[1], ci), double.Parse(f[2], ci), double.Parse(f[3], ci),
                double.Parse(f[4], ci), double.Parse(f[5], ci), double.Parse(f[6], ci), double.Parse(f[7], ci), double.Parse(f[8], ci));
        }
        catch (FormatException) { return null; }
    }

    /// <summary>Writes the losses and D-output chart (SVG) from the rows so far.</summary>
    public void WriteChart(string path)
    {
        List<(double, double)> Series(Func<MetricsRow, double> f) => _rows.Select(r => (r.Epoch, f(r))).ToList();
        string svg = LineChart.Render("epoch",
        [
            new ChartPanel("Losses", "loss",
                [new ChartSeries("D loss", "#1f77b4", Series(r => r.DLoss)), new ChartSeries("G loss", "#d62728", Series(r => r.GLoss))],
                [(Math.Log(2), "ln 2 (equilibrium)")]),
            new ChartPanel("Discriminator outputs", "mean D",
                [new ChartSeries("D(x)", "#2ca02c", Series(r => r.DReal)), new ChartSeries("D(G(z))", "#ff7f0e", Series(r => r.DFake))],
                [(0.5, "1/2")]),
        ]);
        Tensors.AtomicFile.WriteAllText(path, svg);
    }
}
