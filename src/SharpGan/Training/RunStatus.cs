using System.Text.RegularExpressions;

namespace SharpGan.Training;

/// <summary>
/// A run folder as a watcher sees it, read without changing anything (the trainer may be writing it): its config, the
/// metrics rows so far, the sample grids in the order they were written, and where the run stands.
/// </summary>
public sealed partial record RunStatus
{
    /// <summary>The run's config.</summary>
    public required GanConfig Config { get; init; }

    /// <summary>metrics.csv's rows (a torn last row left out).</summary>
    public required IReadOnlyList<MetricsRow> Metrics { get; init; }

    /// <summary>The sample grids' file names in samples/, oldest first (epoch-NNNN.png and step-NNNNNNNN.png; latest.png is a copy and left out).</summary>
    public required IReadOnlyList<string> Samples { get; init; }

    /// <summary>Iterations done (the last metrics row's step), or 0.</summary>
    public long Step => Metrics.Count == 0 ? 0 : Metrics[^1].Step;

    /// <summary>Epochs done, fractional.</summary>
    public double Epoch => Metrics.Count == 0 ? 0 : Metrics[^1].Epoch;

    /// <summary>Iterations the run is set for, when known (from max_steps, or epochs × iterations per epoch as the rows show them).</summary>
    public long? TotalSteps
    {
        get
        {
            long? byEpochs = Metrics.Count > 0 && Metrics[^1].Epoch > 0 ? (long)Math.Round(Config.Training.Epochs * Metrics[^1].Step / Metrics[^1].Epoch) : null;
            return Config.Training.MaxSteps is { } max ? Math.Min(max, byEpochs ?? max) : byEpochs;
        }
    }

    /// <summary>Training images per second on the last row.</summary>
    public double ImagesPerSecond => Metrics.Count == 0 ? 0 : Metrics[^1].SamplesPerSecond;

    /// <summary>Time left at the last row's speed, when there is one and the run is not done.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            if (TotalSteps is not { } total || ImagesPerSecond <= 0 || Step >= total) return null;
            double stepsPerSecond = ImagesPerSecond / (Config.Training.BatchSize * Config.Training.K);
            return TimeSpan.FromSeconds((total - Step) / stepsPerSecond);
        }
    }

    /// <summary>Reads <paramref name="run"/>; throws <see cref="InvalidDataException"/> or <see cref="ConfigException"/> naming the file when one is not sound.</summary>
    public static RunStatus Read(RunDirectory run)
    {
        if (!File.Exists(run.ConfigPath)) throw new InvalidDataException($"{run.Root}: no config.json: not a SharpGAN run (yet)");
        var config = ConfigIo.Load(run.ConfigPath);
        var metrics = File.Exists(run.MetricsPath) ? MetricsLog.Read(run.MetricsPath).Rows : [];
        // Grids in the order they were written: by the step each was drawn at. An epoch grid (epoch-0012.png) was drawn at
        // the end of that epoch, step = epoch × iterations per epoch (as the metrics rows give it); a step grid names its step.
        double perEpoch = metrics.Count > 0 && metrics[^1].Epoch > 0 ? metrics[^1].Step / metrics[^1].Epoch : 1;
        var samples = Directory.Exists(run.SampleFolder)
            ? Directory.EnumerateFiles(run.SampleFolder, "*.png").Select(Path.GetFileName).OfType<string>()
                .Where(name => GridName().IsMatch(name)).OrderBy(name => DrawnAt(name, perEpoch)).ThenBy(name => name, StringComparer.Ordinal).ToList()
            : [];
        return new RunStatus { Config = config, Metrics = metrics, Samples = samples };
    }

    private static double DrawnAt(string name, double perEpoch)
    {
        long number = long.Parse(GridName().Match(name).Groups[1].Value);
        return name.StartsWith("epoch-", StringComparison.Ordinal) ? number * perEpoch : number;
    }

    [GeneratedRegex(@"^(?:epoch|step)-(\d{4,12})\.png$")]
    private static partial Regex GridName();
}
