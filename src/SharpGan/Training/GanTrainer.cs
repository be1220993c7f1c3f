using System.Diagnostics;
using SharpGan.Autograd;
using SharpGan.Data;
using SharpGan.Distributed;
using SharpGan.Gan;
using SharpGan.Imaging;
using SharpGan.Models;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>
/// Trains a GAN by Algorithm 1 (PAPER §3) into a run directory: each iteration runs k
/// discriminator steps and one generator step (<see cref="AdversarialStep"/>), checks the losses are finite,
/// and on schedule logs metrics, draws the fixed-noise sample grid and writes a checkpoint. A run resumed from
/// a checkpoint continues bit-identically: weights, optimiser buffers, update counts, the minibatch position
/// and every random stream are restored.
/// </summary>
public sealed class GanTrainer
{
    private const int GridSide = 10;
    private readonly GanConfig _config;
    private readonly RunDirectory _run;
    private readonly GanModels _models;
    private readonly Optimizer _optG, _optD;
    private readonly RandomStreams _random;
    private readonly ShuffledMinibatches _minibatches;
    private readonly AdversarialStep _algorithm;
    private readonly GeneratorAverage? _average;
    private long _averagePreparedAt = -1;
    private readonly MetricsLog? _metrics; // rank 0's alone: the other processes of a data-parallel run write nothing
    private readonly ProcessGroup _group;
    private readonly Tensor _realBatch, _sampleNoise;
    private readonly Tensor? _imageBatch;   // a conditional run's images, before their labels are appended
    private readonly byte[] _labels;
    private readonly double _elapsedBefore;
    private long _step, _lastCheckpointStep = -1;

    /// <summary>Measures sample quality every training.eval_every iterations when set.</summary>
    public ISampleQualityProbe? QualityProbe { get; init; }

    /// <summary>The networks being trained.</summary>
    public GanModels Models => _models;

    /// <summary>Completed iterations.</summary>
    public long Step => _step;

    /// <summary>Iterations in one epoch (D sees every training image once; k batches per iteration).</summary>
    public int IterationsPerEpoch => IterationsPerEpochFor(_config, _minibatches.BatchesPerEpoch * _config.Training.BatchSize);

    /// <summary>Iterations of Algorithm 1 per epoch for a training set of <paramref name="trainCount"/> images: each iteration's k D steps take k minibatches.</summary>
    public static int IterationsPerEpochFor(GanConfig config, int trainCount) => Math.Max(1, trainCount / config.Training.BatchSize / config.Training.K);

    /// <summary>Iterations the run will make in total.</summary>
    public long TotalSteps => Math.Min(_config.Training.MaxSteps ?? long.MaxValue, (long)_config.Training.Epochs * IterationsPerEpoch);

    /// <summary>Fractional epochs completed.</summary>
    public double Epoch => _minibatches.Epoch + (double)_minibatches.BatchInEpoch / _minibatches.BatchesPerEpoch;

    /// <summary>Sets up a fresh run, or continues <paramref name="resumeFrom"/>.</summary>
    /// <remarks>
    /// With a <paramref name="group"/> of several processes (an MPI job) every process runs this with the same config,
    /// data and checkpoint; each computes its block of every minibatch (<see cref="DataParallel"/>), and rank 0 alone
    /// writes the run's files.
    /// </remarks>
    public GanTrainer(GanConfig config, ImageDataset train, RunDirectory run, Checkpoint.Loaded? resumeFrom = null, ProcessGroup? group = null)
    {
        _group = group ?? ProcessGroup.Single;
        ConfigIo.Validate(config);
        (_config, _run) = (config, run);
        var t = config.Training;
        _random = new RandomStreams(config.Seed);
        _models = ModelFactory.Build(config, resumeFrom is null ? train.PixelMeans() : null, _random);
        if (train.Dimension != _models.SampleDim)
            throw new InvalidDataException($"{config.Dataset}: images are {train.Height}×{train.Width}×{train.Channels}, the {config.Model.Architecture.Name()} networks need {_models.SampleHeight}×{_models.SampleWidth}×{_models.SampleChannels}");
        _minibatches = new ShuffledMinibatches(train, t.BatchSize, _random[RandomStream.Data]);
        _optG = ModelFactory.BuildOptimizer(config, _models.Generator, Player.Generator, _minibatches.BatchesPerEpoch);
        _optD = ModelFactory.BuildOptimizer(config, _models.Discriminator, Player.Discriminator, _minibatches.BatchesPerEpoch);
        _algorithm = new AdversarialStep(_models.Generator, _models.Discriminator, _optG, _optD, t.BatchSize, _models.NoiseDim,
            _random[RandomStream.Noise], t.K, t.GeneratorLoss, config.Model.NoisePrior, t.Simultaneous,
            _models.Classes > 0 ? new ClassConditioning(_models.Classes, _random[RandomStream.Labels], t.BatchSize) : null)
        {
            SeparateBatches = t.SeparateDiscriminatorBatches, Objective = t.Objective, Penalty = t.GradientPenalty, PenaltyWeight = t.PenaltyWeight,
            PenaltyRng = t.GradientPenalty == GradientPenalty.WganGp ? _random[RandomStream.Penalty] : null, // drawn only when used: other runs save no such stream
            Parallel = _group.Size > 1 ? new DataParallel(_group, t.BatchSize) : null,
        };
        _realBatch = new Tensor(t.BatchSize, train.Dimension + _models.Classes);
        _labels = new byte[t.BatchSize];
        if (_models.Classes > 0) _imageBatch = new Tensor(t.BatchSize, train.Dimension);
        // The fixed grid: a conditional run's rows are the classes, its columns one z each.
        _sampleNoise = Samples.GridInput(_models, config.Model.NoisePrior, GridSide, GridSide, _random[RandomStream.SampleNoise]);
        if (_models.AveragedGenerator is { } averaged) _average = new GeneratorAverage(_models.Generator, averaged, t.GeneratorEma);
        if (resumeFrom is not null)
        {
            Restore(resumeFrom);
            _elapsedBefore = resumeFrom.State.ElapsedSeconds;
        }
        else _average?.Reset();
        if (!_group.IsRoot) return;
        Directory.CreateDirectory(run.Root);
        _metrics = new MetricsLog(run.MetricsPath, _step);
    }

    private void Restore(Checkpoint.Loaded c)
    {
        // A run that switches averaging on at resume starts the average at the weights it resumes from.
        if (!Checkpoint.Restore(c, _models, _optG, _optD)) _average?.Reset();
        if (c.State.Minibatches.BatchInEpoch > _minibatches.BatchesPerEpoch)
            throw new InvalidDataException($"{c.Path}: the minibatch position is batch {c.State.Minibatches.BatchInEpoch} of an epoch of {_minibatches.BatchesPerEpoch} batches; the checkpoint does not match this dataset");
        _random.SetState(c.State.RandomState());
        _minibatches.SetState(c.State.Minibatches); // rewinds the Data stream to its epoch's start and re-draws that epoch's order
        _step = _lastCheckpointStep = c.State.Step;
    }

    /// <summary>Trains until the configured epochs or max steps, a cancellation (checkpoint, then stop) or divergence.</summary>
    public TrainResult Train(CancellationToken stop = default, Action<TrainProgress>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        long sessionStart = _step;
        var window = new MetricsWindow();
        int completedEpochs = (int)Math.Floor(Epoch);
        long windowStart = Stopwatch.GetTimestamp();
        while (_step < TotalSteps)
        {
            // Every process stops at the same iteration: a stop seen by any one (a signal) is shared before the step.
            if (_group.Size == 1 ? stop.IsCancellationRequested : _group.Max(stop.IsCancellationRequested ? 1 : 0) == 1)
            {
                SaveCheckpoint(clock);
                return new TrainResult(TrainOutcome.Stopped, _step, $"stopped at step {_step} (epoch {Epoch:F2}); checkpoint saved", _run.LatestCheckpoint());
            }

            // Algorithm 1: k discriminator steps, one generator step (the optimisers follow their schedules).
            float learningRate = _optD.LearningRate, momentum = _optD.Momentum;
            StepStats stats = _algorithm.Run(NextRealBatch);
            if (!float.IsFinite(stats.DiscriminatorLoss) || !float.IsFinite(stats.GeneratorLoss))
            {
                string last = _run.LatestCheckpoint() is { } p ? $"the last good checkpoint is {p}" : "no checkpoint had been written yet";
                return new TrainResult(TrainOutcome.Diverged, _step + 1,
                    $"training diverged at step {_step + 1} (D loss {stats.DiscriminatorLoss}, G loss {stats.GeneratorLoss}); {last}", _run.LatestCheckpoint());
            }
            _average?.Update();
            _step++;

            window.Add(stats);
            bool measure = QualityProbe is not null && _config.Training.EvalEvery > 0 && _step % _config.Training.EvalEvery == 0;
            if (_metrics is not null && (_step % _config.Training.LogEvery == 0 || _step == TotalSteps || measure))
            {
                double seconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
                double imagesPerSecond = window.Count * _config.Training.BatchSize * _config.Training.K / Math.Max(seconds, 1e-9);
                var row = window.Row(_step, Epoch, learningRate, momentum, imagesPerSecond);
                // Measured after the throughput window closes, so its cost does not show as slower training.
                if (measure) PrepareAveragedGenerator();
                _metrics.Append(measure ? row with { Quality = QualityProbe!.Measure(_models, _config, _step) } : row);
                if (measure) _metrics.WriteChart(_run.ChartPngPath, _run.ChartPath);
                window = new MetricsWindow();
                windowStart = Stopwatch.GetTimestamp();
            }
            bool epochEnded = (int)Math.Floor(Epoch) > completedEpochs;
            if (epochEnded) completedEpochs = (int)Math.Floor(Epoch);
            var t = _config.Training;
            if (t.SampleEvery > 0 ? _step % t.SampleEvery == 0 : epochEnded) WriteSamples(epochEnded ? completedEpochs : null);
            if (t.CheckpointEvery > 0 ? _step % t.CheckpointEvery == 0 : epochEnded) SaveCheckpoint(clock);
            progress?.Invoke(new TrainProgress(_step, TotalSteps, Epoch, t.Epochs, stats, learningRate, momentum,
                _step - sessionStart, clock.Elapsed, TimeSpan.FromSeconds(_elapsedBefore + clock.Elapsed.TotalSeconds), t.BatchSize * t.K));
        }
        if (_lastCheckpointStep != _step) SaveCheckpoint(clock);
        WriteSamples(null);
        string parallel = _algorithm.Parallel is { } dp
            ? $"; {_group.Size} processes, gradient allreduce {dp.CommunicationTime.TotalSeconds:F1} s ({100 * dp.CommunicationTime.TotalSeconds / Math.Max(1e-9, clock.Elapsed.TotalSeconds):F1} % of this session)"
            : "";
        return new TrainResult(TrainOutcome.Completed, _step, $"finished {_step} steps ({Epoch:F2} epochs) in {_elapsedBefore + clock.Elapsed.TotalSeconds:F0} s{parallel}", _run.LatestCheckpoint());
    }

    private Tensor NextRealBatch()
    {
        if (_imageBatch is null)
        {
            _minibatches.Next(_realBatch);
            return _realBatch;
        }
        // Real examples carry their own labels: (m, pixels + K), as D reads them.
        _minibatches.Next(_imageBatch, _labels);
        int pixels = _imageBatch.Shape[1], width = _realBatch.Shape[1];
        for (int i = 0; i < _labels.Length; i++) _imageBatch.Data.AsSpan(i * pixels, pixels).CopyTo(_realBatch.Data.AsSpan(i * width, pixels));
        ClassConditioning.WriteOneHot(_realBatch.Data, _labels.Length, width, _labels, _models.Classes);
        return _realBatch;
    }

    /// <summary>Draws the fixed-noise 10×10 grid into samples/ and refreshes the chart.</summary>
    public void WriteSamples(int? epoch)
    {
        if (_metrics is null) return; // not rank 0
        PrepareAveragedGenerator();
        Directory.CreateDirectory(_run.SampleFolder);
        var images = Samples.Draw(_models, _sampleNoise);
        float low = _config.PixelRange.Low();
        string name = epoch is { } e ? $"epoch-{e:D4}.png" : $"step-{_step:D8}.png";
        ImageGrid.WritePng(Path.Combine(_run.SampleFolder, name), images.Data, images.Rows, _models.SampleHeight, _models.SampleWidth, _models.SampleChannels, GridSide, low, 1f);
        File.Copy(Path.Combine(_run.SampleFolder, name), Path.Combine(_run.SampleFolder, "latest.png"), overwrite: true);
        _metrics.WriteChart(_run.ChartPngPath, _run.ChartPath);
    }

    // The averaged G's BatchNorm statistics measured for its own weights, once a step, before it is sampled or saved
    // (every update copies the live G's statistics into it; they describe other weights).
    private void PrepareAveragedGenerator()
    {
        if (_average is null || _averagePreparedAt == _step) return;
        Samples.RemeasureAveragedStatistics(_models, _config.Model.NoisePrior);
        _averagePreparedAt = _step;
    }

    private void SaveCheckpoint(Stopwatch clock)
    {
        if (!_group.IsRoot)
        {
            _lastCheckpointStep = _step;
            return;
        }
        PrepareAveragedGenerator();
        var state = new TrainerState
        {
            Step = _step,
            Minibatches = _minibatches.GetState(),
            Random = _random.GetState(),
            GeneratorUpdates = _optG.StepCount,
            DiscriminatorUpdates = _optD.StepCount,
            ElapsedSeconds = _elapsedBefore + clock.Elapsed.TotalSeconds,
        };
        Directory.CreateDirectory(_run.CheckpointFolder);
        Checkpoint.Save(_run.CheckpointPath(_step), _models, _optG, _optD, state, _config);
        _lastCheckpointStep = _step;
        // Only once the new file is complete are the oldest removed.
        var all = _run.Checkpoints();
        foreach (var (_, path) in all.Take(Math.Max(0, all.Count - _config.Training.KeepCheckpoints))) File.Delete(path);
    }

    // Running means of the step statistics between two metrics rows.
    private sealed class MetricsWindow
    {
        private double _d, _g, _real, _fake;
        public int Count { get; private set; }

        public void Add(StepStats s)
        {
            _d += s.DiscriminatorLoss; _g += s.GeneratorLoss; _real += s.MeanDReal; _fake += s.MeanDFake;
            Count++;
        }

        public MetricsRow Row(long step, double epoch, double lr, double momentum, double imagesPerSecond)
        {
            double n = Math.Max(1, Count);
            return new MetricsRow(step, epoch, _d / n, _g / n, _real / n, _fake / n, lr, momentum, imagesPerSecond);
        }
    }
}
