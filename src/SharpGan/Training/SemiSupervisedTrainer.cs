using System.Diagnostics;
using System.Text.Json;
using SharpGan.Autograd;
using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.Imaging;
using SharpGan.IO;
using SharpGan.Models;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>One epoch of a semi-supervised run, as metrics.csv records it.</summary>
public sealed record SemiSupervisedEpoch(int Epoch, long Iteration, double DiscriminatorLoss, double GeneratorLoss, int? TestErrors, double Seconds);

/// <summary>Everything besides weights and optimiser buffers a resumed semi-supervised run needs to continue exactly.</summary>
public sealed record SemiSupervisedState
{
    /// <summary>Completed iterations (one D and one G update each).</summary>
    public long Iteration { get; init; }

    /// <summary>Where the unlabelled minibatches stand.</summary>
    public required MinibatchPosition Unlabelled { get; init; }

    /// <summary>Where the labelled minibatches stand.</summary>
    public required MinibatchPosition Labelled { get; init; }

    /// <summary>The run's random streams.</summary>
    public required Dictionary<string, ulong[]> Random { get; init; }

    /// <summary>Training wall time so far, seconds.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The epochs finished so far.</summary>
    public required List<SemiSupervisedEpoch> History { get; init; }

    /// <summary>Sums of D's and G's losses over the iterations of the epoch in progress, and their count.</summary>
    public LossSums EpochSoFar { get; init; } = new(0, 0, 0);
}

/// <summary>Running sums of the two losses over some iterations.</summary>
public sealed record LossSums(double Discriminator, double Generator, int Iterations);

/// <summary>
/// Semi-supervised learning with a GAN (paper §7, item 4; Salimans et al. 2016): D is a K-class classifier trained on a
/// few labelled images and, through the GAN game, on all unlabelled ones; G is trained by feature matching. Each
/// iteration takes one labelled, one unlabelled and one generated batch, then one D update and one G update. Runs live
/// in a <see cref="RunDirectory"/> (config.json, checkpoints/, metrics.csv) and resume bit-identically.
/// </summary>
public sealed class SemiSupervisedTrainer
{
    /// <summary>The value of a checkpoint's "format" metadata key.</summary>
    public const string Format = "sharpgan-semi-checkpoint/1";

    private const int KeepCheckpoints = 3;
    private readonly SemiSupervisedConfig _config;
    private readonly RunDirectory _run;
    private readonly RandomStreams _random;
    private readonly ShuffledMinibatches _unlabelled, _labelled;
    private readonly Optimizer _optG, _optD;
    private readonly SemiSupervisedStep _step;
    private readonly Tensor _xUnlabelled, _xLabelled, _z;
    private readonly byte[] _yLabelled;
    private readonly List<SemiSupervisedEpoch> _history = [];
    private readonly double _elapsedBefore;
    private long _iteration;
    private LossSums _epochSoFar = new(0, 0, 0);
    private readonly GeneratorAverage? _average;
    private readonly Tensor _sampleNoise;
    private readonly int _imageHeight, _imageWidth;
    private const int SampleGridSide = 10;

    /// <summary>Name prefix of the averaged classifier's tensors in a checkpoint.</summary>
    public const string AveragePrefix = "discriminator_average.";

    /// <summary>The classifier (D).</summary>
    public SemiSupervisedDiscriminator Discriminator { get; }

    /// <summary>G.</summary>
    public SemiSupervisedGenerator Generator { get; }

    /// <summary>
    /// The moving average of D's weights, or D itself when the run keeps none; the per-epoch test errors are its. A
    /// finished run is tested with this or D, whichever errs less on the validation images (<c>SemiSupervisedEvaluation</c>).
    /// </summary>
    public SemiSupervisedDiscriminator Classifier { get; }

    /// <summary>The run's settings.</summary>
    public SemiSupervisedConfig Config => _config;

    /// <summary>The indices into train[0:50000] of the labelled images, ascending.</summary>
    public IReadOnlyList<int> LabelledIndices { get; }

    /// <summary>Counts test errors of the classifier after each epoch (null: not measured).</summary>
    public Func<SemiSupervisedDiscriminator, int>? TestErrors { get; init; }

    /// <summary>Iterations in one epoch (one pass over the unlabelled images).</summary>
    public int IterationsPerEpoch => _unlabelled.BatchesPerEpoch;

    /// <summary>Completed iterations.</summary>
    public long Iteration => _iteration;

    /// <summary>The epochs finished so far.</summary>
    public IReadOnlyList<SemiSupervisedEpoch> History => _history;

    /// <summary>Sets up a run on <paramref name="train"/> (train[0:50000]), fresh or resumed from <paramref name="checkpointPath"/>.</summary>
    public SemiSupervisedTrainer(SemiSupervisedConfig config, ImageDataset train, RunDirectory run, string? checkpointPath = null)
    {
        config.Validate();
        (_config, _run) = (config, run);
        int classes = DatasetCatalog.ClassCount(config.Dataset), b = config.BatchSize;
        _random = new RandomStreams(config.Seed);
        (LabelledIndices, _labelled) = Labelled(train, config, classes, _random);
        _unlabelled = new ShuffledMinibatches(train, b, _random[RandomStream.Data]);
        Discriminator = new SemiSupervisedDiscriminator(train.Dimension, classes, _random[RandomStream.Dropout]);
        Generator = new SemiSupervisedGenerator(config.NoiseDim, train.Dimension);
        Classifier = Discriminator;
        if (config.EvaluationAverage > 0)
        {
            // Evaluated only, never trained: its noise layers are off, so their generator is never drawn from.
            Classifier = new SemiSupervisedDiscriminator(train.Dimension, classes, new Rng(0));
            _average = new GeneratorAverage(Discriminator, Classifier, config.EvaluationAverage);
        }
        // The rate holds, then falls linearly to 0 over the last part of the run (both players make one update an iteration).
        long total = (long)config.Epochs * _unlabelled.BatchesPerEpoch;
        Schedule Rate() => new LinearRamp(config.LearningRate, 0f, total * config.DecayFrom, Math.Max(total * config.DecayFrom + 1, total));
        _optD = new Adam(Discriminator.NamedParameters(), Rate(), config.Beta1);
        _optG = new Adam(Generator.NamedParameters(), Rate(), config.Beta1);
        _step = new SemiSupervisedStep(Discriminator, Generator, _optD, _optG, config.UnsupervisedWeight, config.FeatureMatching);
        (_xUnlabelled, _xLabelled, _z, _yLabelled) = (new Tensor(b, train.Dimension), new Tensor(b, train.Dimension), new Tensor(b, config.NoiseDim), new byte[b]);
        (_imageHeight, _imageWidth) = (train.Height, train.Width);
        // Drawn before a resume restores the streams, so a resumed run draws the grid's z as its start did.
        _sampleNoise = new Tensor(SampleGridSide * SampleGridSide, config.NoiseDim);
        _random[RandomStream.SampleNoise].FillUniform(_sampleNoise.Data, 0f, 1f);
        if (checkpointPath is null)
        {
            // Data-dependent initialisation of D's weight normalisation on the first unlabelled batches, as the paper's code does.
            Discriminator.Initialize(InitialisationBatch(train), _random[RandomStream.Init]);
            Generator.Initialize(_random[RandomStream.Init]);
            _average?.Clear();
        }
        else _elapsedBefore = Restore(checkpointPath);
    }

    /// <summary>
    /// The baseline a semi-supervised result is read against: the same classifier, initialised the same way from the same
    /// seed, trained on the same labelled images alone (cross-entropy, the same Adam at a constant rate), for
    /// <paramref name="updates"/> updates of one labelled batch each.
    /// </summary>
    public static SemiSupervisedDiscriminator SupervisedBaseline(SemiSupervisedConfig config, ImageDataset train, int updates)
    {
        config.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(updates);
        int classes = DatasetCatalog.ClassCount(config.Dataset), b = config.BatchSize;
        var random = new RandomStreams(config.Seed);
        var (_, labelled) = Labelled(train, config, classes, random);
        var classifier = new SemiSupervisedDiscriminator(train.Dimension, classes, random[RandomStream.Dropout]);
        classifier.Initialize(InitialisationBatch(train), random[RandomStream.Init]);
        var optimizer = new Adam(classifier.NamedParameters(), config.LearningRate, config.Beta1);
        var (x, y) = (new Tensor(b, train.Dimension), new byte[b]);
        var tape = new Tape();
        for (int i = 0; i < updates; i++)
        {
            labelled.Next(x, y);
            optimizer.ZeroGrad();
            using (tape.Begin()) tape.Backward(Ops.SoftmaxCrossEntropy(classifier.Forward(x), y));
            optimizer.Step();
        }
        return classifier;
    }

    // The labelled images chosen by the seed, and their minibatches (the semi-supervised run and its baseline draw the same).
    private static (int[] Indices, ShuffledMinibatches Batches) Labelled(ImageDataset train, SemiSupervisedConfig config, int classes, RandomStreams random)
    {
        var indices = ChooseLabelled(train.Labels, config.Labels, classes, random.Fork(RandomStream.Labels, 0));
        return (indices, new ShuffledMinibatches(Tiled(train, indices, config.BatchSize), config.BatchSize, random.Fork(RandomStream.Labels, 1)));
    }

    // The first 500 training images: the batch D's data-dependent initialisation measures, as the paper's code does.
    private static Tensor InitialisationBatch(ImageDataset train)
    {
        var batch = new Tensor(Math.Min(500, train.Count), train.Dimension);
        train.Pixels.AsSpan(0, batch.Length).CopyTo(batch.Data);
        return batch;
    }

    // Balanced: for each class, the first labels/K of its training images in a seeded shuffle.
    private static int[] ChooseLabelled(byte[] labels, int count, int classes, Rng rng)
    {
        var chosen = new List<int>();
        for (int c = 0; c < classes; c++)
        {
            var ofClass = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            if (ofClass.Length < count / classes) throw new ConfigException($"class {c} has only {ofClass.Length} training images; {count / classes} are asked for");
            rng.Shuffle(ofClass);
            chosen.AddRange(ofClass.Take(count / classes));
        }
        chosen.Sort();
        return [.. chosen];
    }

    // The labelled images repeated to at least one batch, so every batch is a full one (20 labels: 5 copies of each).
    private static ImageDataset Tiled(ImageDataset train, IReadOnlyList<int> indices, int batch)
    {
        int copies = (batch + indices.Count - 1) / indices.Count, d = train.Dimension;
        var pixels = new float[copies * indices.Count * d];
        var labels = new byte[copies * indices.Count];
        for (int k = 0; k < copies; k++)
            for (int i = 0; i < indices.Count; i++)
            {
                int row = k * indices.Count + i;
                train.Pixels.AsSpan(indices[i] * d, d).CopyTo(pixels.AsSpan(row * d, d));
                labels[row] = train.Labels[indices[i]];
            }
        return new ImageDataset(labels.Length, train.Height, train.Width, train.Channels, pixels, labels);
    }

    /// <summary>Trains to the configured epochs or until <paramref name="stop"/> (then saves a checkpoint); reports each epoch.</summary>
    public void Train(CancellationToken stop = default, Action<SemiSupervisedEpoch>? onEpoch = null, Action<long, long>? onIteration = null)
    {
        var clock = Stopwatch.StartNew();
        long total = (long)_config.Epochs * IterationsPerEpoch;
        while (_iteration < total)
        {
            if (stop.IsCancellationRequested) { SaveCheckpoint(clock); return; }
            _unlabelled.Next(_xUnlabelled);
            _labelled.Next(_xLabelled, _yLabelled);
            float dLoss = DiscriminatorStep();
            _average?.Update();
            float gLoss = GeneratorStep();
            _epochSoFar = new(_epochSoFar.Discriminator + dLoss, _epochSoFar.Generator + gLoss, _epochSoFar.Iterations + 1);
            _iteration++;
            onIteration?.Invoke(_iteration, total);
            if (_iteration % IterationsPerEpoch != 0) continue;
            var (dSum, gSum, count) = _epochSoFar;
            var row = new SemiSupervisedEpoch((int)(_iteration / IterationsPerEpoch), _iteration, dSum / count, gSum / count,
                TestErrors?.Invoke(Classifier), _elapsedBefore + clock.Elapsed.TotalSeconds);
            _history.Add(row);
            _epochSoFar = new(0, 0, 0);
            SaveCheckpoint(clock);
            WriteSamples(row.Epoch);
            onEpoch?.Invoke(row);
        }
    }

    // z is drawn before each update from the run's noise stream, in the order the updates happen (resumes depend on it).
    private float DiscriminatorStep()
    {
        _random[RandomStream.Noise].FillUniform(_z.Data, 0f, 1f);
        return _step.Discriminator(_xLabelled, _yLabelled, _xUnlabelled, _z);
    }

    private float GeneratorStep()
    {
        _random[RandomStream.Noise].FillUniform(_z.Data, 0f, 1f);
        return _step.Generator(_xUnlabelled, _z);
    }

    /// <summary>
    /// Writes G's samples for the run's fixed 100 z as a 10×10 grid: samples/epoch-NNNN.png and samples/latest.png. G runs
    /// in eval mode (BatchNorm's running statistics), so drawing them changes no state a resume depends on.
    /// </summary>
    public void WriteSamples(int epoch)
    {
        Directory.CreateDirectory(_run.SampleFolder);
        string path = Path.Combine(_run.SampleFolder, $"epoch-{epoch:D4}.png");
        WriteSampleGrid(path);
        File.Copy(path, Path.Combine(_run.SampleFolder, "latest.png"), overwrite: true);
    }

    /// <summary>Writes G's 10×10 grid for the run's fixed z to <paramref name="path"/> (PNG), as <see cref="WriteSamples"/> draws it.</summary>
    public void WriteSampleGrid(string path)
    {
        bool wasTraining = Generator.IsTraining;
        Generator.Eval();
        Tensor images;
        try { images = Generator.Forward(_sampleNoise); }
        finally { Generator.Train(wasTraining); }
        ImageGrid.WritePng(path, images.Data, images.Rows, _imageHeight, _imageWidth, 1, SampleGridSide);
    }

    private void SaveCheckpoint(Stopwatch clock)
    {
        var tensors = Checkpoint.NetworkTensors(Generator, Discriminator, _optG, _optD);
        if (_average is not null) foreach (var (name, p) in Classifier.NamedState()) tensors.Add(new(AveragePrefix + name, p));
        var state = new SemiSupervisedState
        {
            Iteration = _iteration,
            Unlabelled = _unlabelled.GetState(),
            Labelled = _labelled.GetState(),
            Random = _random.GetState(),
            ElapsedSeconds = _elapsedBefore + clock.Elapsed.TotalSeconds,
            History = _history,
            EpochSoFar = _epochSoFar,
        };
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = JsonSerializer.Serialize(_config, ConfigIo.Options),
            ["state"] = JsonSerializer.Serialize(state, ConfigIo.Options),
            ["labelled_indices"] = string.Join(',', LabelledIndices),
        };
        Directory.CreateDirectory(_run.CheckpointFolder);
        SafeTensors.Write(_run.CheckpointPath(_iteration), tensors, metadata);
        WriteMetrics();
        var all = _run.Checkpoints();
        foreach (var (_, path) in all.Take(Math.Max(0, all.Count - KeepCheckpoints))) File.Delete(path);
    }

    private void WriteMetrics() => AtomicFile.WriteAllText(_run.MetricsPath,
        "epoch,iteration,d_loss,g_loss,test_errors,seconds\n" + string.Concat(_history.Select(r =>
            FormattableString.Invariant($"{r.Epoch},{r.Iteration},{r.DiscriminatorLoss:G6},{r.GeneratorLoss:G6},{r.TestErrors},{r.Seconds:F1}\n"))));

    /// <summary>A semi-supervised checkpoint read and checked: its config, state and tensors.</summary>
    public sealed record Loaded(string Path, SafeTensors.Content Content, SemiSupervisedConfig Config, SemiSupervisedState State);

    /// <summary>Reads a checkpoint; throws <see cref="InvalidDataException"/> naming the file when it is not a sound one.</summary>
    public static Loaded Read(string path)
    {
        var content = SafeTensors.Read(path);
        if (!content.Metadata.TryGetValue("format", out string? format) || format != Format)
            throw new InvalidDataException($"{path}: not a SharpGAN semi-supervised checkpoint (metadata format is '{format ?? "missing"}', expected '{Format}')");
        try
        {
            var config = JsonSerializer.Deserialize<SemiSupervisedConfig>(content.Metadata.GetValueOrDefault("config") ?? "null", ConfigIo.Options)
                ?? throw new InvalidDataException($"{path}: the config metadata is missing");
            config.Validate();
            var state = JsonSerializer.Deserialize<SemiSupervisedState>(content.Metadata.GetValueOrDefault("state") ?? "null", ConfigIo.Options)
                ?? throw new InvalidDataException($"{path}: the state metadata is missing");
            if (state.Iteration < 0 || state.History is null || state.Random is null || state.Unlabelled?.RngAtEpochStart is null || state.Labelled?.RngAtEpochStart is null)
                throw new InvalidDataException($"{path}: damaged state");
            return new Loaded(path, content, config, state);
        }
        catch (Exception e) when (e is JsonException or ConfigException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: damaged checkpoint metadata ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    private double Restore(string path)
    {
        var c = Read(path);
        // Only the length of the run may change at a resume (extending it also stretches the rate's decay).
        if (c.Config with { Epochs = _config.Epochs } != _config) throw new InvalidDataException($"{path}: the checkpoint was written with another config");
        if (c.Content.Metadata.GetValueOrDefault("labelled_indices") != string.Join(',', LabelledIndices))
            throw new InvalidDataException($"{path}: its labelled images differ from the ones this dataset and seed give");
        Checkpoint.LoadWeights(path, c.Content, Checkpoint.GeneratorPrefix, Generator);
        Checkpoint.LoadWeights(path, c.Content, Checkpoint.DiscriminatorPrefix, Discriminator);
        Checkpoint.LoadOptimizer(path, c.Content, Checkpoint.GeneratorOptimizerPrefix, _optG);
        Checkpoint.LoadOptimizer(path, c.Content, Checkpoint.DiscriminatorOptimizerPrefix, _optD);
        if (_average is not null) Checkpoint.LoadWeights(path, c.Content, AveragePrefix, Classifier);
        _optG.StepCount = _optD.StepCount = c.State.Iteration;
        try
        {
            if (c.State.Unlabelled.BatchInEpoch > _unlabelled.BatchesPerEpoch || c.State.Labelled.BatchInEpoch > _labelled.BatchesPerEpoch)
                throw new ArgumentException("a minibatch position is past the end of its epoch");
            if (c.State.Iteration > (long)_config.Epochs * IterationsPerEpoch) throw new ArgumentException($"iteration {c.State.Iteration} is past the run's end");
            _random.SetState(c.State.Random);
            _unlabelled.SetState(c.State.Unlabelled);
            _labelled.SetState(c.State.Labelled);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: damaged state ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        _iteration = c.State.Iteration;
        _history.AddRange(c.State.History);
        _epochSoFar = c.State.EpochSoFar ?? new(0, 0, 0);
        return c.State.ElapsedSeconds;
    }
}
