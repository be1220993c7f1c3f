using System.Globalization;
using System.Text.RegularExpressions;
using SharpGan.Gan;

namespace SharpGan.Training;

/// <summary>
/// The layout of a run: config.json, checkpoints/step-NNNNNNNN.safetensors, samples/*.png, metrics.csv, chart.png and chart.svg.
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

    /// <summary>chart.svg: the training chart for pages that embed it.</summary>
    public string ChartPath => Path.Combine(Root, "chart.svg");

    /// <summary>chart.png: the same chart for viewing.</summary>
    public string ChartPngPath => Path.Combine(Root, "chart.png");

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

    /// <summary>The lock file a training process holds open (and locked) while it writes the run.</summary>
    public string LockPath => Path.Combine(Root, ".lock");

    /// <summary>
    /// Takes the run's write lock for as long as the returned handle stays open, so two processes never write one run
    /// (two fresh runs, --force onto a live run, two resumes). The lock is an OS file lock (flock on Linux, which .NET
    /// takes for FileShare.None): the kernel drops it when its holder exits, so a crashed or killed run never leaves it
    /// stuck. Creates the folder. Throws <see cref="RunInUseException"/> when another process holds it.
    /// </summary>
    public IDisposable Lock()
    {
        Directory.CreateDirectory(Root);
        try
        {
            var handle = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            handle.SetLength(0); // the holder's PID, for people (`cat RUN/.lock`); the lock itself is what counts
            handle.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            handle.Flush();
            return handle;
        }
        // The lock is held elsewhere: EWOULDBLOCK from flock on Unix (11), a sharing violation on Windows. Other I/O
        // errors (a read-only folder) propagate as they are.
        catch (IOException e) when (e.HResult is 11 or unchecked((int)0x80070020))
        {
            throw new RunInUseException($"{Root} is being written by another sharpgan process; wait for it to finish or stop it (Ctrl-C saves a checkpoint), then try again");
        }
    }

    /// <summary>
    /// Deletes temporary files (name.tmp-PID) that a killed writer left in the run's folders. Call while holding
    /// <see cref="Lock"/>: no live process can be writing them then.
    /// </summary>
    public int RemoveTemporaryFiles()
    {
        int removed = 0;
        foreach (string folder in new[] { Root, CheckpointFolder, SampleFolder })
        {
            if (!Directory.Exists(folder)) continue;
            foreach (string file in Directory.EnumerateFiles(folder, "*.tmp-*"))
            {
                File.Delete(file);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>
    /// Rebuilds the run's generator from its latest checkpoint (or <paramref name="checkpointPath"/>) for sampling: the
    /// averaged generator when the run keeps one, G's own weights with <paramref name="raw"/>. Returns the models, the
    /// run's config and the checkpoint read. Throws <see cref="DirectoryNotFoundException"/> or
    /// <see cref="FileNotFoundException"/> when there is nothing to read, <see cref="InvalidDataException"/> when it is damaged.
    /// </summary>
    public (GanModels Models, GanConfig Config, string CheckpointPath) LoadGenerator(string? checkpointPath = null, bool raw = false) =>
        Load(checkpointPath, raw, discriminator: false);

    /// <summary>As <see cref="LoadGenerator"/>, with D's weights loaded too (to export or inspect D).</summary>
    public (GanModels Models, GanConfig Config, string CheckpointPath) LoadModels(string? checkpointPath = null, bool raw = false) =>
        Load(checkpointPath, raw, discriminator: true);

    private (GanModels Models, GanConfig Config, string CheckpointPath) Load(string? checkpointPath, bool raw, bool discriminator)
    {
        if (checkpointPath is null && !Directory.Exists(Root)) throw new DirectoryNotFoundException($"{Root}: no such run folder");
        string path = checkpointPath
            ?? LatestCheckpoint()
            ?? throw new FileNotFoundException($"{Root}: no checkpoint found (train first, or pass --checkpoint FILE)");
        var checkpoint = Checkpoint.Read(path);
        var config = raw ? checkpoint.Config with { Training = checkpoint.Config.Training with { GeneratorEma = 0 } } : checkpoint.Config;
        var models = ModelFactory.Build(config, null);
        Checkpoint.LoadGenerators(checkpoint, models);
        // Checkpoints saved before the averaged G's statistics were measured for its own weights hold copies of G's; they
        // get their own here (the values a newer checkpoint already holds: the measurement depends on the weights alone).
        if (!raw && AveragedStatisticsAreCopies(checkpoint)) Samples.RemeasureAveragedStatistics(models, config.Model.NoisePrior);
        if (discriminator) Checkpoint.LoadWeights(checkpoint, Checkpoint.DiscriminatorPrefix, models.Discriminator);
        return (models, checkpoint.Config, path);
    }

    private static bool AveragedStatisticsAreCopies(Checkpoint.Loaded checkpoint)
    {
        var tensors = checkpoint.Content.Tensors;
        bool any = false;
        foreach (var (name, averaged) in tensors)
        {
            if (!name.StartsWith(Checkpoint.AveragedGeneratorPrefix) || !name.Contains("running_")) continue;
            any = true;
            if (!tensors.TryGetValue(Checkpoint.GeneratorPrefix + name[Checkpoint.AveragedGeneratorPrefix.Length..], out var live)
                || !averaged.Data.AsSpan(0, averaged.Length).SequenceEqual(live.Data.AsSpan(0, live.Length))) return false;
        }
        return any;
    }

    /// <summary>Deletes the run's own files (config, checkpoints, samples, metrics, chart), nothing else.</summary>
    public void Clear()
    {
        foreach (string f in new[] { ConfigPath, MetricsPath, ChartPath, ChartPngPath }) if (File.Exists(f)) File.Delete(f);
        foreach (string d in new[] { CheckpointFolder, SampleFolder }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
    }
}

/// <summary>Another process holds a run's write lock (<see cref="RunDirectory.Lock"/>).</summary>
public sealed class RunInUseException(string message) : Exception(message);
