using System.Diagnostics;
using SharpGan.Autograd;
using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.Imaging;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>
/// Trains a GAN by Algorithm 1 (PAPER §3) into a run directory: each iteration applies the schedules, runs k
/// discriminator steps and one generator step (<see cref="AdversarialStep"/>), checks the losses are finite,
/// and on schedule logs metrics, draws the fixed-noise sample grid and writes a checkpoint. A run resumed from
/// a checkpoint continues bit-identically: weights, optimiser buffers, update counts, the sampler's position
/// and every Rng are restored.
/// </summary>
public sealed class GanTrainer
{
    private const int GridSide = 10;
    private readonly GanConfig _config;
    private readonly RunDirectory _run;
    private readonly GanModels _models;
    private readonly Optimizer _optG, _optD;
    private readonly Rng _noiseRng;
    private readonly MinibatchSampler _sampler;
    private readonly AdversarialStep _algorithm;
    private readonly LearningRateDecay _decayG, _decayD;
    private readonly LinearRamp _momentum;
    private readonly GeneratorAverage? _average;
    private readonly MetricsLog _metrics;
    private readonly Tensor _realBatch, _sampleNoise;
    private readonly double _elapsedBefore;
    private long _step, _lastCheckpointStep = -1;

    /// <summary>Measures sample quality every training.eval_every iterations when set.</summary>
    public ISampleQualityProbe? QualityProbe { get; init; }

    /// <summary>The networks being trained.</summary>
    public GanModels Models => _models;

    /// <summary>Completed iterations.</summary>
    public long Step => _step;

    /// <summary>Iterations in one epoch (D sees every training image once; k batches per iteration).</summary>
    public int IterationsPerEpoch => IterationsPerEpochFor(_config, _sampler.BatchesPerEpoch * _config.Training.BatchSize);

    /// <summary>Iterations of Algorithm 1 per epoch for a training set of <paramref name="trainCount"/> images: each iteration's k D steps take k minibatches.</summary>
    public static int IterationsPerEpochFor(GanConfig config, int trainCount) => Math.Max(1, trainCount / config.Training.BatchSize / config.Training.K);

    /// <summary>Iterations the run will make in total.</summary>
    public long TotalSteps => Math.Min(_config.Training.MaxSteps ?? long.MaxValue, (long)_config.Training.Epochs * IterationsPerEpoch);

    /// <summary>Fractional epochs completed.</summary>
    public double Epoch => _sampler.Epoch + (double)_sampler.BatchInEpoch / _sampler.BatchesPerEpoch;

    /// <summary>Sets up a fresh run, or continues <paramref name="resumeFrom"/>.</summary>
    public GanTrainer(GanConfig config, ImageDataset train, RunDirectory run, Checkpoint.Loaded? resumeFrom = null)
    {
        ConfigIo.Validate(config);
        (_config, _run) = (config, run);
        var t = config.Training;
        _models = ModelFactory.Build(config, resumeFrom is null ? train.PixelMeans() : null);
        if (train.Dimension != _models.SampleDim)
            throw new InvalidDataException($"{config.Dataset}: images are {train.Height}×{train.Width}×{train.Channels}, the {config.Model.Architecture} networks need {_models.SampleHeight}×{_models.SampleWidth}×{_models.SampleChannels}");
        _optG = ModelFactory.BuildOptimizer(config.Optimizer, _models.Generator);
        _optD = ModelFactory.BuildOptimizer(config.Optimizer, _models.Discriminator);
        _noiseRng = Rng.ForStream(config.Seed, RandomStream.Noise);
        _sampler = new MinibatchSampler(train, t.BatchSize, Rng.ForStream(config.Seed, RandomStream.Data));
        _algorithm = new AdversarialStep(_models.Generator, _models.Discriminator, _optG, _optD, t.BatchSize, _models.NoiseDim,
            _noiseRng, t.K, t.GeneratorLoss, config.Model.NoisePrior, t.Simultaneous)
        { SeparateBatches = t.SeparateDiscriminatorBatches };
        var o = config.Optimizer;
        // Anneal phases start at a training step; D makes k updates per step, G one.
        _decayG = new LearningRateDecay(o.LearningRate, o.LrDecayFactor, o.LrFloor, o.LrAnneal.Select(p => (p.FromStep, p.Factor)));
        _decayD = new LearningRateDecay(o.LearningRate, o.LrDecayFactor, o.LrFloor, o.LrAnneal.Select(p => (p.FromStep * t.K, p.Factor)));
        _momentum = new LinearRamp(o.MomentumStart, o.MomentumEnd, o.MomentumRampStartEpoch, o.MomentumRampEndEpoch);
        _realBatch = new Tensor(t.BatchSize, train.Dimension);
        _sampleNoise = new Tensor(GridSide * GridSide, _models.NoiseDim);
        NoiseSampler.Fill(config.Model.NoisePrior, _sampleNoise.Data, Rng.ForStream(config.Seed, RandomStream.SampleNoise));
        if (_models.AveragedGenerator is { } averaged) _average = new GeneratorAverage(_models.Generator, averaged, t.GeneratorEma);
        if (resumeFrom is not null)
        {
            Restore(resumeFrom);
            _elapsedBefore = resumeFrom.State.ElapsedSeconds;
        }
        else _average?.Reset();
        Directory.CreateDirectory(run.Root);
        _metrics = new MetricsLog(run.MetricsPath, _step);
    }

    private void Restore(Checkpoint.Loaded c)
    {
        // A run that switches averaging on at resume starts the average at the weights it resumes from.
        if (!Checkpoint.Restore(c, _models, _optG, _optD)) _average?.Reset();
        if (c.State.Sampler.BatchInEpoch > _sampler.BatchesPerEpoch)
            throw new InvalidDataException($"{c.Path}: the sampler stands at batch {c.State.Sampler.BatchInEpoch} of an epoch of {_sampler.BatchesPerEpoch} batches; the checkpoint does not match this dataset");
        _sampler.SetState(c.State.Sampler);
        _noiseRng.SetState(c.State.NoiseRng);
        _models.DropoutRng.SetState(c.State.DropoutRng);
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
            if (stop.IsCancellationRequested)
            {
                SaveCheckpoint(clock);
                return new TrainResult(TrainOutcome.Stopped, _step, $"stopped at step {_step} (epoch {Epoch:F2}); checkpoint saved", _run.LatestCheckpoint());
            }

            // Algorithm 1: schedules for this iteration, k discriminator steps, one generator step.
            ApplySchedules();
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
            if (_step % _config.Training.LogEvery == 0 || _step == TotalSteps || measure)
            {
                double seconds = Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
                double imagesPerSecond = window.Count * _config.Training.BatchSize * _config.Training.K / Math.Max(seconds, 1e-9);
                var row = window.Row(_step, Epoch, _optD.LearningRate, CurrentMomentum, imagesPerSecond);
                // Measured after the throughput window closes, so its cost does not show as slower training.
                _metrics.Append(measure ? row with { Quality = QualityProbe!.Measure(_models, _config, _step) } : row);
                if (measure) _metrics.WriteChart(_run.ChartPath);
                window = new MetricsWindow();
                windowStart = Stopwatch.GetTimestamp();
            }
            bool epochEnded = (int)Math.Floor(Epoch) > completedEpochs;
            if (epochEnded) completedEpochs = (int)Math.Floor(Epoch);
            var t = _config.Training;
            if (t.SampleEvery > 0 ? _step % t.SampleEvery == 0 : epochEnded) WriteSamples(epochEnded ? completedEpochs : null);
            if (t.CheckpointEvery > 0 ? _step % t.CheckpointEvery == 0 : epochEnded) SaveCheckpoint(clock);
            progress?.Invoke(new TrainProgress(_step, TotalSteps, Epoch, t.Epochs, stats, _optD.LearningRate, CurrentMomentum,
                _step - sessionStart, clock.Elapsed, TimeSpan.FromSeconds(_elapsedBefore + clock.Elapsed.TotalSeconds), t.BatchSize * t.K));
        }
        if (_lastCheckpointStep != _step) SaveCheckpoint(clock);
        WriteSamples(null);
        return new TrainResult(TrainOutcome.Completed, _step, $"finished {_step} steps ({Epoch:F2} epochs) in {_elapsedBefore + clock.Elapsed.TotalSeconds:F0} s", _run.LatestCheckpoint());
    }

    private float CurrentMomentum => _optD is Sgd sgd ? sgd.Momentum : 0f;

    private void ApplySchedules()
    {
        _decayG.Apply(_optG);
        _decayD.Apply(_optD);
        float momentum = _momentum.ValueAt(Math.Floor(Epoch));
        if (_optG is Sgd g) g.Momentum = momentum;
        if (_optD is Sgd d) d.Momentum = momentum;
    }

    private Tensor NextRealBatch()
    {
        _sampler.Next(_realBatch);
        return _realBatch;
    }

    /// <summary>Draws the fixed-noise 10×10 grid into samples/ and refreshes the chart.</summary>
    public void WriteSamples(int? epoch)
    {
        Directory.CreateDirectory(_run.SampleFolder);
        var images = Sampling.Generate(_models, _sampleNoise);
        float low = _config.PixelRange.Low();
        string name = epoch is { } e ? $"epoch-{e:D4}.png" : $"step-{_step:D8}.png";
        ImageGrid.WritePng(Path.Combine(_run.SampleFolder, name), images.Data, images.Rows, _models.SampleHeight, _models.SampleWidth, _models.SampleChannels, GridSide, low, 1f);
        File.Copy(Path.Combine(_run.SampleFolder, name), Path.Combine(_run.SampleFolder, "latest.png"), overwrite: true);
        _metrics.WriteChart(_run.ChartPath);
    }

    private void SaveCheckpoint(Stopwatch clock)
    {
        var state = new TrainerState
        {
            Step = _step,
            Sampler = _sampler.GetState(),
            NoiseRng = _noiseRng.GetState(),
            DropoutRng = _models.DropoutRng.GetState(),
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
