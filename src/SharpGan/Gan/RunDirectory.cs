using System.Globalization;
using System.Text.RegularExpressions;

namespace SharpGan.Gan;

/// <summary>
/// The layout of a run: config.json, checkpoints/step-NNNNNNNN.safetensors, samples/*.png, metrics.csv, chart.svg.
/// </summary>
public sealed partial class RunDirectory
{
    /// <summary>The run's folder.</summary>
    public string Root { get; }

    /// <summary>Wraps a folder (nothing is created).</summary>
    public RunDirectory(string root) => Root = Path.GetFullPath(root);

    /// <summary>config.json.</summary>
    public string ConfigPath => Path.Combine(Root, "config.json");

    /// <summary>checkpoints/.</summary>
    public string CheckpointFolder => Path.Combine(Root, "checkpoints");

    /// <summary>samples/.</summary>
    public string SampleFolder => Path.Combine(Root, "samples");

    /// <summary>metrics.csv.</summary>
    public string MetricsPath => Path.Combine(Root, "metrics.csv");

    /// <summary>chart.svg.</summary>
    public string ChartPath => Path.Combine(Root, "chart.svg");

    /// <summary>Path of the checkpoint for a step.</summary>
    public string CheckpointPath(long step) => Path.Combine(CheckpointFolder, $"step-{step:D8}.safetensors");

    [GeneratedRegex(@"^step-(\d{8,})\.safetensors$")]
    private static partial Regex CheckpointName();

    /// <summary>Complete checkpoints (temporary files excluded), oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> Checkpoints()
    {
        if (!Directory.Exists(CheckpointFolder)) return [];
        return Directory.EnumerateFiles(CheckpointFolder)
            .Select(p => (Match: CheckpointName().Match(Path.GetFileName(p)), Path: p))
            .Where(x => x.Match.Success)
            .Select(x => (long.Parse(x.Match.Groups[1].Value, CultureInfo.InvariantCulture), x.Path))
            .OrderBy(x => x.Item1)
            .ToList();
    }

    /// <summary>The newest checkpoint, or null.</summary>
    public string? LatestCheckpoint() => Checkpoints().LastOrDefault().Path;

    /// <summary>True when the folder already holds a run (a config or a checkpoint).</summary>
    public bool HoldsRun => File.Exists(ConfigPath) || Checkpoints().Count > 0;

    /// <summary>Deletes the run's own files (config, checkpoints, samples, metrics, chart), nothing else.</summary>
    public void Clear()
    {
        foreach (string f in new[] { ConfigPath, MetricsPath, ChartPath }) if (File.Exists(f)) File.Delete(f);
        foreach (string d in new[] { CheckpointFolder, SampleFolder }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
    }
}
