using System.Globalization;
using System.Text;
using SharpGan.IO;
using SharpGan.Imaging;

namespace SharpGan.Training;

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

    /// <summary>
    /// Opens (or creates) the log, keeping only rows with step ≤ <paramref name="keepThroughStep"/>. A malformed last
    /// line is a row torn by a kill mid-append and is dropped; any other malformed line, or a header that is not a
    /// metrics header, throws <see cref="InvalidDataException"/> naming the file and line, and the file is left as it is.
    /// </summary>
    public MetricsLog(string path, long keepThroughStep)
    {
        _path = path;
        if (File.Exists(path))
        {
            var (rows, torn) = Read(path);
            if (torn is { Last: false } damage)
                throw new InvalidDataException($"{path}: line {damage.Line}: {damage.Why}; repair or delete that line to resume");
            _rows.AddRange(rows.Where(r => r.Step <= keepThroughStep));
        }
        var text = new StringBuilder(Header + "\n");
        foreach (var r in _rows) text.Append(Format(r)).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>
    /// Reads a metrics.csv without changing it (a run being watched is still writing it): the rows up to the first
    /// malformed line, and that line's number and reason, with whether it was the last line (a row torn by a kill or
    /// still being appended). Throws <see cref="InvalidDataException"/> when the header is not a metrics header.
    /// </summary>
    public static (List<MetricsRow> Rows, (int Line, string Why, bool Last)? Torn) Read(string path)
    {
        var rows = new List<MetricsRow>();
        int lineNumber = 0;
        (int Line, string Why)? torn = null;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line != Header && line != Header[..Header.IndexOf(",fd", StringComparison.Ordinal)])
                    throw new InvalidDataException($"{path}: not a SharpGAN metrics.csv (its first line is not the metrics header); move it away to resume");
                continue;
            }
            if (torn is { } earlier) return (rows, (earlier.Line, earlier.Why, false));
            if (Parse(line, out string why) is { } row) rows.Add(row);
            else torn = (lineNumber, why);
        }
        return (rows, torn is { } last ? (last.Line, last.Why, true) : null);
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

    // A row, or null with the reason in why. Every field is parsed with TryParse: no number, however long, throws.
    private static MetricsRow? Parse(string line, out string why)
    {
        var f = line.Split(',');
        why = $"{f.Length} columns, expected {TrainingColumns} or {AllColumns}";
        if (f.Length != TrainingColumns && f.Length != AllColumns) return null;
        var ci = CultureInfo.InvariantCulture;
        var d = new double[f.Length];
        if (!long.TryParse(f[0], NumberStyles.None, ci, out long step)) { why = $"step '{Clip(f[0])}' is not a whole number ≥ 0"; return null; }
        for (int i = 1; i < f.Length; i++)
        {
            if (i >= TrainingColumns && f[i].Length == 0) { d[i] = double.NaN; continue; } // quality columns: empty when not measured
            if (!double.TryParse(f[i], NumberStyles.Float, ci, out d[i])) { why = $"column {i + 1} '{Clip(f[i])}' is not a number"; return null; }
        }
        var row = new MetricsRow(step, d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
        if (f.Length == TrainingColumns || f[9].Length == 0) return row;
        if (f.Skip(TrainingColumns).Take(5).Any(v => v.Length == 0) || d[11] is < 0 or > int.MaxValue || d[11] != Math.Floor(d[11]))
        {
            why = "a measured row needs fd, classifier_score, a whole classes_covered, precision and recall";
            return null;
        }
        return row with { Quality = new SampleQuality(d[9], d[10], (int)d[11], d[12], d[13], f[14].Length == 0 ? null : d[14]) };
    }

    private static string Clip(string s) => s.Length > 24 ? s[..24] + "…" : s;

    /// <summary>Writes the losses, D-output and (when measured) quality chart from the rows so far, to each path (.png or .svg).</summary>
    public void WriteChart(params string[] paths)
    {
        List<(double, double)> Series(Func<MetricsRow, double> f) => _rows.Select(r => (r.Epoch, f(r))).ToList();
        var measured = _rows.Where(r => r.Quality is not null).ToList();
        List<(double, double)> Quality(Func<SampleQuality, double?> f) =>
            measured.Where(r => f(r.Quality!) is not null).Select(r => (r.Epoch, f(r.Quality!)!.Value)).ToList();
        // The paper's game has cross-entropy losses (≥ 0, ln 2 at its equilibrium) and D outputs in [0, 1]; the later
        // objectives (WGAN, hinge) have losses of either sign and raw scores, so their axes are left open.
        bool probabilities = _rows.All(r => r.DReal is >= 0 and <= 1 && r.DFake is >= 0 and <= 1);
        bool crossEntropy = probabilities && _rows.All(r => r.DLoss >= 0 && r.GLoss >= 0);
        ChartSeries[] losses = [new ChartSeries("D loss", "#1f77b4", Series(r => r.DLoss)), new ChartSeries("G loss", "#d62728", Series(r => r.GLoss))];
        ChartSeries[] outputs = [new ChartSeries("D(x)", "#2ca02c", Series(r => r.DReal)), new ChartSeries("D(G(z))", "#ff7f0e", Series(r => r.DFake))];
        var panels = new List<ChartPanel>
        {
            crossEntropy ? new ChartPanel("Losses", "loss", losses, [(Math.Log(2), "ln 2")]) { Possible = (0, double.PositiveInfinity) }
                         : new ChartPanel("Losses", "loss", losses, [(0, "0")]),
            probabilities ? new ChartPanel("Discriminator outputs", "mean D", outputs, [(0.5, "1/2")]) { Possible = (0, 1) }
                          : new ChartPanel("Discriminator scores (raw outputs)", "mean D", outputs, [(0, "0")]),
        };
        if (measured.Count > 0)
        {
            panels.Add(new ChartPanel("Fréchet distance to the test set (classifier features)", "FD", [new ChartSeries("FD", "#9467bd", Quality(q => q.FrechetDistance))]) { Possible = (0, double.PositiveInfinity) });
            panels.Add(new ChartPanel("Precision, recall and classes covered / 10", "fraction",
                [new ChartSeries("precision", "#2ca02c", Quality(q => q.Precision)), new ChartSeries("recall", "#1f77b4", Quality(q => q.Recall)),
                 new ChartSeries("classes / 10", "#7f7f7f", Quality(q => q.ClassesCovered / 10.0), Dashed: true)], [(1, "1")]) { Possible = (0, 1) });
            var parzen = Quality(q => q.ParzenLogLikelihood);
            if (parzen.Count > 0) panels.Add(new ChartPanel("Fast Parzen test log-likelihood (1 000 samples)", "nats", [new ChartSeries("Parzen LL", "#8c564b", parzen)]));
        }
        Charts.WriteLines("epoch", panels, paths);
    }
}
