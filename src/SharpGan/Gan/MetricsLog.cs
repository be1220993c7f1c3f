using System.Globalization;
using System.Text;
using SharpGan.Imaging;

namespace SharpGan.Gan;

/// <summary>One metrics.csv row: averages over the iterations since the previous row, and sample quality when measured then.</summary>
public sealed record MetricsRow(long Step, double Epoch, double DLoss, double GLoss, double DReal, double DFake, double LearningRate, double Momentum, double SamplesPerSecond)
{
    /// <summary>The `--eval-every` measurement taken at this step, if any.</summary>
    public SampleQuality? Quality { get; init; }
}

/// <summary>
/// metrics.csv, append-only while training. On resume, rows past the checkpoint's step are dropped (they
/// describe iterations that will be re-run), so the file always matches the weights. The last six columns are
/// empty except on rows where `--eval-every` measured sample quality; files from before they existed (nine
/// columns) are read and rewritten with the full header.
/// </summary>
public sealed class MetricsLog
{
    private const string Header = "step,epoch,d_loss,g_loss,d_real,d_fake,lr,momentum,samples_per_sec,fd,classifier_score,classes_covered,precision,recall,parzen_ll";
    private const int TrainingColumns = 9, AllColumns = 15;
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

    private static string Format(MetricsRow r)
    {
        string training = string.Create(CultureInfo.InvariantCulture,
            $"{r.Step},{r.Epoch:F4},{r.DLoss:G6},{r.GLoss:G6},{r.DReal:G6},{r.DFake:G6},{r.LearningRate:G6},{r.Momentum:G6},{r.SamplesPerSecond:F1}");
        if (r.Quality is not { } q) return training + ",,,,,,";
        return training + string.Create(CultureInfo.InvariantCulture,
            $",{q.FrechetDistance:G6},{q.ClassifierScore:G6},{q.ClassesCovered},{q.Precision:G6},{q.Recall:G6},{(q.ParzenLogLikelihood is { } p ? p.ToString("G6", CultureInfo.InvariantCulture) : "")}");
    }

    private static MetricsRow? Parse(string line)
    {
        var f = line.Split(',');
        if (f.Length != TrainingColumns && f.Length != AllColumns) return null;
        var ci = CultureInfo.InvariantCulture;
        try
        {
            var row = new MetricsRow(long.Parse(f[0], ci), double.Parse(f[1], ci), double.Parse(f[2], ci), double.Parse(f[3], ci),
                double.Parse(f[4], ci), double.Parse(f[5], ci), double.Parse(f[6], ci), double.Parse(f[7], ci), double.Parse(f[8], ci));
            if (f.Length == TrainingColumns || f[9].Length == 0) return row;
            return row with
            {
                Quality = new SampleQuality(double.Parse(f[9], ci), double.Parse(f[10], ci), int.Parse(f[11], ci), double.Parse(f[12], ci),
                    double.Parse(f[13], ci), f[14].Length == 0 ? null : double.Parse(f[14], ci)),
            };
        }
        catch (FormatException) { return null; }
    }

    /// <summary>Writes the losses and D-output chart (SVG) from the rows so far.</summary>
    public void WriteChart(string path)
    {
        List<(double, double)> Series(Func<MetricsRow, double> f) => _rows.Select(r => (r.Epoch, f(r))).ToList();
        var measured = _rows.Where(r => r.Quality is not null).ToList();
        List<(double, double)> Quality(Func<SampleQuality, double?> f) =>
            measured.Where(r => f(r.Quality!) is not null).Select(r => (r.Epoch, f(r.Quality!)!.Value)).ToList();
        var panels = new List<ChartPanel>
        {
            new ChartPanel("Losses", "loss",
                [new ChartSeries("D loss", "#1f77b4", Series(r => r.DLoss)), new ChartSeries("G loss", "#d62728", Series(r => r.GLoss))],
                [(Math.Log(2), "ln 2 (equilibrium)")]),
            new ChartPanel("Discriminator outputs", "mean D",
                [new ChartSeries("D(x)", "#2ca02c", Series(r => r.DReal)), new ChartSeries("D(G(z))", "#ff7f0e", Series(r => r.DFake))],
                [(0.5, "1/2")]),
        };
        if (measured.Count > 0)
        {
            panels.Add(new ChartPanel("Fréchet distance to the test set (classifier features)", "FD", [new ChartSeries("FD", "#9467bd", Quality(q => q.FrechetDistance))]));
            panels.Add(new ChartPanel("Precision, recall and classes covered / 10", "fraction",
                [new ChartSeries("precision", "#2ca02c", Quality(q => q.Precision)), new ChartSeries("recall", "#1f77b4", Quality(q => q.Recall)),
                 new ChartSeries("classes / 10", "#7f7f7f", Quality(q => q.ClassesCovered / 10.0), Dashed: true)], [(1, "1")]));
            var parzen = Quality(q => q.ParzenLogLikelihood);
            if (parzen.Count > 0) panels.Add(new ChartPanel("Fast Parzen test log-likelihood (1 000 samples)", "nats", [new ChartSeries("Parzen LL", "#8c564b", parzen)]));
        }
        Tensors.AtomicFile.WriteAllText(path, LineChart.Render("epoch", panels));
    }
}
