using SharpGan.Autograd;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

public class TrainerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-train-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The paper's setup shrunk to test size: 1000 images, G 128-wide, D 32×3 maxout, batch 50.</summary>
    internal static GanConfig Small(long maxSteps, long seed = 1, bool biasFromData = true) => Presets.Get("mnist-paper") with
    {
        Seed = seed,
        TrainLimit = 1000,
        Model = new ModelConfig { GeneratorHidden = 128, DiscriminatorUnits = 32, DiscriminatorPieces = 3, OutputBiasFromData = biasFromData },
        Training = new TrainingConfig { BatchSize = 50, MaxSteps = maxSteps, LogEvery = 10, CheckpointEvery = 0 },
    };

    private RunDirectory Run(string name) => new(Path.Combine(_dir, name));

    internal static GanTrainer Trainer(GanConfig config, RunDirectory run, Checkpoint.Loaded? resume = null) =>
        new(config, TestData.Mnist(config.TrainLimit ?? 1000), run, resume);

    /// <summary>Trains <paramref name="total"/> steps straight through, and again as <paramref name="split"/> steps plus a resume.</summary>
    internal static (GanTrainer Straight, GanTrainer Resumed) StraightAndSplit(Func<long, GanConfig> config, long total, long split, RunDirectory straightRun, RunDirectory splitRun)
    {
        var straight = Trainer(config(total), straightRun);
        straight.Train();
        Trainer(config(split), splitRun).Train();
        var resumed = Trainer(config(total), splitRun, Checkpoint.Read(splitRun.LatestCheckpoint()!));
        Assert.Equal(split, resumed.Step);
        resumed.Train();
        return (straight, resumed);
    }

    private static float[] AllWeights(GanTrainer t) =>
        t.Models.Generator.Parameters().Concat(t.Models.Discriminator.Parameters()).SelectMany(p => p.Data).ToArray();

    [Fact]
    public void TrainingMovesTheSamplesTowardTheData()
    {
        // The paper's architecture, shrunk, with Adam: SGD at lr 0.1 makes such small nets oscillate.
        var config = Small(400, biasFromData: false) with
        {
            TrainLimit = 2000,
            Model = new ModelConfig { GeneratorHidden = 256, DiscriminatorUnits = 64, DiscriminatorPieces = 5, OutputBiasFromData = false },
            Training = Small(400).Training with { BatchSize = 100 },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, LearningRate = 2e-4f, LrDecayFactor = 1, Beta1 = 0.5f },
        };
        var trainer = Trainer(config, Run("learn"));
        var data = TestData.Mnist(2000);
        var dataMean = data.PixelMeans();
        var noise = new Tensor(500, 100);
        new Rng(77).FillGaussian(noise.Data);
        double Distance()
        {
            var samples = Samples.Draw(trainer.Models, noise);
            double sum = 0;
            for (int j = 0; j < 784; j++)
            {
                double mean = 0;
                for (int i = 0; i < 500; i++) mean += samples.Data[i * 784 + j];
                sum += Math.Pow(mean / 500 - dataMean[j], 2);
            }
            return Math.Sqrt(sum);
        }
        double before = Distance();
        var firstFake = new List<float>();
        var result = trainer.Train(progress: p => { if (firstFake.Count < 5) firstFake.Add(p.Last.MeanDFake); });
        double after = Distance();
        Assert.Equal(TrainOutcome.Completed, result.Outcome);
        Assert.True(after < before / 2, $"mean-image distance went from {before:F2} to {after:F2}; expected it to halve");
        var rows = new MetricsLog(Run("learn").MetricsPath, long.MaxValue).Rows;
        Assert.Equal(40, rows.Count);
        // D(G(z)) leaves its start (D learns to tell fakes) even if it drifts back toward 1/2 as G catches up.
        double start = firstFake.Average(), furthest = rows.Max(r => Math.Abs(r.DFake - start));
        Assert.True(furthest > 0.1, $"D(G(z)) never moved more than {furthest:F3} from its start {start:F3}");
    }

    [Fact]
    public void ResumedRunIsBitIdenticalToAnUninterruptedOne()
    {
        var (straight, resumed) = StraightAndSplit(steps => Small(steps), 50, 23, Run("straight"), Run("split"));

        Assert.Equal(AllWeights(straight), AllWeights(resumed));
        var a = Checkpoint.Read(Run("straight").LatestCheckpoint()!);
        var b = Checkpoint.Read(Run("split").LatestCheckpoint()!);
        foreach (var (name, t) in a.Content.Tensors) Assert.Equal(t.Data, b.Content.Tensors[name].Data);
        Assert.Equal(a.State.Minibatches.Epoch, b.State.Minibatches.Epoch);
        // metrics.csv of the resumed run has each step once
        var steps = new MetricsLog(Run("split").MetricsPath, long.MaxValue).Rows.Select(r => r.Step).ToList();
        Assert.Equal(steps.Distinct().Count(), steps.Count);
    }

    [Fact]
    public void AnnealPhaseChangesTheDecayFromItsStep()
    {
        var config = Small(8);
        config = config with { Optimizer = config.Optimizer with { LrAnneal = [new LrAnnealPhase(4, 1.5)] } };
        var rates = new List<float>();
        Trainer(config, Run("anneal")).Train(default, p => rates.Add(p.LearningRate));
        Assert.Equal(8, rates.Count);
        // rates[i] is the rate of update i + 1, i.e. After(i): ÷1.000004 per update up to update 4, then ÷1.5.
        for (int i = 1; i < 8; i++)
            Assert.Equal(i <= 4 ? 1.000004 : 1.5, rates[i - 1] / (double)rates[i], 1e-5);
    }

    [Fact]
    public void SameSeedSameRunOtherSeedOtherRun()
    {
        var a = Trainer(Small(15, seed: 4), Run("a")); a.Train();
        var b = Trainer(Small(15, seed: 4), Run("b")); b.Train();
        var c = Trainer(Small(15, seed: 5), Run("c")); c.Train();
        Assert.Equal(AllWeights(a), AllWeights(b));
        Assert.NotEqual(AllWeights(a), AllWeights(c));
    }

    [Fact]
    public void DivergenceStopsAndKeepsTheLastGoodCheckpoint()
    {
        var config = Small(200) with { Optimizer = new OptimizerConfig { LearningRate = 1e6f }, Training = Small(200).Training with { CheckpointEvery = 1, KeepCheckpoints = 2 } };
        var run = Run("nan");
        var result = Trainer(config, run).Train();
        Assert.Equal(TrainOutcome.Diverged, result.Outcome);
        Assert.Contains($"diverged at step {result.Step}", result.Message);
        var last = Checkpoint.Read(run.LatestCheckpoint()!);
        Assert.Equal(result.Step - 1, last.State.Step);
        Assert.All(last.Content.Tensors.Values, t => Assert.All(t.Data, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void CancellationSavesACheckpointAndStops()
    {
        using var stop = new CancellationTokenSource();
        var run = Run("stop");
        var result = Trainer(Small(1000), run).Train(stop.Token, p => { if (p.Step == 7) stop.Cancel(); });
        Assert.Equal(TrainOutcome.Stopped, result.Outcome);
        Assert.Equal(7, Checkpoint.Read(run.LatestCheckpoint()!).State.Step);
    }

    [Fact]
    public void CheckpointWritesAreAtomicAndPartialFilesAreIgnored()
    {
        var run = Run("atomic");
        Trainer(Small(5), run).Train();
        string good = run.LatestCheckpoint()!;
        byte[] before = File.ReadAllBytes(good);
        // A write that fails midway (here: its temporary file cannot be created) leaves the old file as it was.
        Directory.CreateDirectory(good + ".tmp-" + Environment.ProcessId);
        Assert.ThrowsAny<Exception>(() => AtomicFile.WriteAllBytes(good, new byte[10]));
        Assert.Equal(before, File.ReadAllBytes(good));
        // What a killed writer leaves behind is not mistaken for a checkpoint.
        File.WriteAllBytes(run.CheckpointPath(99) + ".tmp-4242", before[..100]);
        Assert.Equal(good, run.LatestCheckpoint());
        Assert.Equal(5, Checkpoint.Read(run.LatestCheckpoint()!).State.Step);
    }

    [Fact]
    public void CheckpointOfAnotherShapeIsRefusedByName()
    {
        var run = Run("shape");
        Trainer(Small(2), run).Train();
        var checkpoint = Checkpoint.Read(run.LatestCheckpoint()!);
        var wider = ModelFactory.Build(Small(2) with { Model = Small(2).Model with { GeneratorHidden = 64 } }, null);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(checkpoint, Checkpoint.GeneratorPrefix, wider.Generator));
        Assert.Contains("generator.net.0.weight", ex.Message);
        Assert.Contains("[128, 100]", ex.Message);
    }

    [Fact]
    public void ProgressOfAResumedRunCountsTheWholeRunAndHasNoSpeedBeforeItsFirstIteration()
    {
        var untimed = new TrainProgress(500, 1000, 1.0, 2, default, 0.1f, 0.5f, SessionSteps: 0, SessionElapsed: TimeSpan.Zero, Elapsed: TimeSpan.FromSeconds(30), ImagesPerStep: 100);
        Assert.Null(untimed.ImagesPerSecond);
        Assert.Null(untimed.Remaining);
        Assert.Equal(0.5, untimed.Fraction);

        var run = Run("progress");
        Trainer(Small(6), run).Train();
        var seen = new List<TrainProgress>();
        Trainer(Small(10), run, Checkpoint.Read(run.LatestCheckpoint()!)).Train(progress: seen.Add);
        Assert.Equal([7L, 8, 9, 10], seen.Select(p => p.Step));
        Assert.All(seen, p => Assert.Equal(10, p.TotalSteps));
        Assert.Equal(1, seen[0].SessionSteps);
        Assert.True(seen[0].ImagesPerSecond > 0);
        Assert.Equal(TimeSpan.Zero, seen[^1].Remaining);
        Assert.Equal(0.7, seen[0].Fraction, 6);
    }
}
