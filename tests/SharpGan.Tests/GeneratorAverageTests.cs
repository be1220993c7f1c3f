using SharpGan.Gan;
using SharpGan.Models;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The moving average of G's weights: its arithmetic, its place in training, checkpoints and sampling.</summary>
public sealed class GeneratorAverageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-ema-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static float[] Weights(Module m) => m.NamedParameters().SelectMany(p => p.Value.Data).ToArray();

    private RunDirectory Run(string name) => new(Path.Combine(_dir, name));

    /// <summary>Models without an average whose G holds the checkpoint's tensors under <paramref name="prefix"/>: an independent way to sample them.</summary>
    internal static GanModels PlainModelsWith(Checkpoint.Loaded checkpoint, string prefix)
    {
        var plain = ModelFactory.Build(checkpoint.Config with { Training = checkpoint.Config.Training with { GeneratorEma = 0 } }, null);
        Checkpoint.LoadWeights(checkpoint, prefix, plain.Generator);
        return plain;
    }

    private static GanConfig Averaged(long steps, double decay = 0.9) =>
        TrainerTests.Small(steps) with { Training = TrainerTests.Small(steps).Training with { GeneratorEma = decay } };

    [Fact]
    public void UpdateIsTheExponentialMovingAverageOfTheWeights()
    {
        var live = new MlpGenerator(4, 8, 6);
        var averaged = new MlpGenerator(4, 8, 6);
        var rng = new Rng(3);
        live.InitializeUniform(0.5f, rng);
        var average = new GeneratorAverage(live, averaged, 0.75);
        average.Reset();
        Assert.Equal(Weights(live), Weights(averaged));

        double[] reference = Weights(live).Select(w => (double)w).ToArray();
        for (int update = 0; update < 5; update++)
        {
            live.InitializeUniform(0.5f, rng); // stands in for an optimiser step
            average.Update();
            float[] w = Weights(live);
            for (int i = 0; i < reference.Length; i++) reference[i] = 0.75 * reference[i] + 0.25 * w[i];
        }
        float[] got = Weights(averaged);
        for (int i = 0; i < reference.Length; i++) Assert.Equal(reference[i], got[i], 1e-6);
        Assert.NotEqual(Weights(live), got);
    }

    [Fact]
    public void BatchNormStatisticsAreCopiedNotAveraged()
    {
        var layout = Architecture.Dcgan28.Dcgan()!;
        var live = layout.Generator(8, 4, 1);
        var averaged = layout.Generator(8, 4, 1);
        var average = new GeneratorAverage(live, averaged, 0.99);
        average.Reset();
        var buffers = live.NamedBuffers().ToList();
        Assert.NotEmpty(buffers);
        foreach (var (_, b) in buffers) Array.Fill(b.Data, 3.5f);
        average.Update();
        Assert.All(averaged.NamedBuffers(), b => Assert.All(b.Value.Data, v => Assert.Equal(3.5f, v)));
    }

    [Fact]
    public void RemeasuredStatisticsAreThePlainAverageOverTheBatches()
    {
        var network = new Sequential(new Linear(3, 4), new BatchNorm(4, momentum: 0.1f));
        var rng = new Rng(8);
        foreach (var (_, p) in network.NamedParameters()) rng.FillGaussian(p.Data);
        var batches = Enumerable.Range(0, 3).Select(_ => TestUtil.Random(rng, 2f, 5, 3)).ToArray();
        int next = 0;
        Assert.True(BatchNorm.RemeasureRunningStatistics(network, () => batches[next++], 3));
        // Expected: the mean over batches of each batch's mean and unbiased variance of the Linear's outputs.
        var bn = (BatchNorm)network.Children[1].Module;
        var linear = (Linear)network.Children[0].Module;
        for (int c = 0; c < 4; c++)
        {
            double meanOfMeans = 0, meanOfVars = 0;
            foreach (var x in batches)
            {
                var y = Enumerable.Range(0, 5).Select(r => (double)linear.Bias!.Data[c] + Enumerable.Range(0, 3).Sum(i => (double)x.Data[r * 3 + i] * linear.Weight.Data[c * 3 + i])).ToArray();
                double m = y.Average();
                meanOfMeans += m / 3;
                meanOfVars += y.Sum(v => (v - m) * (v - m)) / 4 / 3;
            }
            Assert.Equal(meanOfMeans, bn.RunningMean.Data[c], 1e-4);
            Assert.Equal(meanOfVars, bn.RunningVar.Data[c], 1e-3);
        }
        Assert.Equal(0.1f, bn.Momentum);
        Assert.True(network.IsTraining);
        Assert.False(BatchNorm.RemeasureRunningStatistics(new MlpGenerator(4, 8, 6), () => throw new InvalidOperationException("no BatchNorm: nothing to run"), 3));
    }

    [Fact]
    public void TheSavedAverageCarriesStatisticsOfItsOwnWeights()
    {
        // A DCGAN (BatchNorm in G) with an average: the checkpoint's averaged G has statistics measured for its own weights,
        // not the live G's, and measuring them again changes nothing.
        var dcgan = Presets.Get("mnist-dcgan");
        var config = dcgan with
        {
            TrainLimit = 256,
            Model = dcgan.Model with { Features = 4, NoiseDim = 8 },
            Training = dcgan.Training with { BatchSize = 16, MaxSteps = 12, LogEvery = 4, GeneratorEma = 0.9 },
        };
        var train = SharpGan.Data.ImageDataset.Load(SharpGan.Data.DatasetCatalog.Mnist, SharpGan.Data.DatasetSplit.Train,
            SharpGan.Data.PixelRange.MinusOneOne, TestData.Locator()).Take(256);
        new GanTrainer(config, train, Run("dcgan")).Train();
        var saved = Checkpoint.Read(Run("dcgan").LatestCheckpoint()!);
        float[] Statistics(string prefix) => [.. saved.Content.Tensors.Where(t => t.Key.StartsWith(prefix) && t.Key.Contains("running_")).OrderBy(t => t.Key).SelectMany(t => t.Value.Data)];
        float[] averaged = Statistics(Checkpoint.AveragedGeneratorPrefix), live = Statistics(Checkpoint.GeneratorPrefix);
        Assert.NotEmpty(averaged);
        Assert.NotEqual(live, averaged);
        float[] Loaded(string? path = null) => [.. Run("dcgan").LoadGenerator(path).Models.AveragedGenerator!.NamedBuffers().OrderBy(b => b.Name).SelectMany(b => b.Value.Data)];
        Assert.Equal(averaged, Loaded());

        // A checkpoint from before (the average holding copies of G's statistics) gets them measured on load: the same
        // values, since they depend on the averaged weights alone.
        var old = saved.Content.Tensors.ToDictionary(t => t.Key, t => t.Key.StartsWith(Checkpoint.AveragedGeneratorPrefix) && t.Key.Contains("running_")
            ? saved.Content.Tensors[Checkpoint.GeneratorPrefix + t.Key[Checkpoint.AveragedGeneratorPrefix.Length..]] : t.Value);
        string oldPath = Path.Combine(_dir, "old.safetensors");
        SharpGan.IO.SafeTensors.Write(oldPath, old, saved.Content.Metadata);
        Assert.Equal(averaged, Loaded(oldPath));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void DecayOutsideTheOpenUnitIntervalIsRefused(double decay) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GeneratorAverage(new MlpGenerator(4, 8, 6), new MlpGenerator(4, 8, 6), decay));

    [Fact]
    public void AnotherArchitectureIsRefused() =>
        Assert.Throws<ArgumentException>(() => new GeneratorAverage(new MlpGenerator(4, 8, 6), new MlpGenerator(4, 9, 6), 0.9));

    [Fact]
    public void TrainingKeepsTheAverageSamplesFromItAndResumesBitIdentically()
    {
        var (straight, _) = TrainerTests.StraightAndSplit(steps => Averaged(steps), 30, 13, Run("straight"), Run("split"));

        var a = Checkpoint.Read(Run("straight").LatestCheckpoint()!);
        var b = Checkpoint.Read(Run("split").LatestCheckpoint()!);
        Assert.True(Checkpoint.HasAveragedGenerator(a));
        Assert.Equal(a.Content.Tensors.Keys.Order(), b.Content.Tensors.Keys.Order());
        foreach (var (name, t) in a.Content.Tensors) Assert.Equal(t.Data, b.Content.Tensors[name].Data);

        // The average lags G, and samples come from the average.
        var models = straight.Models;
        Assert.NotEqual(Weights(models.Generator), Weights(models.AveragedGenerator!));
        var noise = new Tensor(7, models.NoiseDim);
        new Rng(5).FillGaussian(noise.Data);
        var samples = Samples.Draw(models, noise);
        // …the saved average: loaded as the plain G of a model without averaging, it draws the same samples.
        Assert.Equal(Samples.Draw(PlainModelsWith(a, Checkpoint.AveragedGeneratorPrefix), noise).Data, samples.Data);
        var reloaded = ModelFactory.Build(a.Config, null);
        Checkpoint.LoadGenerators(a, reloaded);
        Assert.Equal(samples.Data, Samples.Draw(reloaded, noise).Data);
    }

    [Theory]
    [InlineData("mnist-dcgan", 2 * Samples.ChunkRows + 17)]
    [InlineData("mnist-paper", 2 * 2048 + 17)]
    public void DrawingInChunksGivesTheSamplesOfOneForwardPass(string preset, int count)
    {
        // Samples.Draw runs G on a few rows at a time (bounding a convolutional G's buffers); in eval mode that changes no value.
        var models = ModelFactory.Build(Presets.Get(preset), null);
        var noise = new Tensor(count, models.NoiseDim);
        new Rng(9).FillGaussian(noise.Data);
        var chunked = Samples.Draw(models, noise);
        models.SamplingGenerator.Eval();
        var whole = models.SamplingGenerator.Forward(noise);
        Assert.Equal(whole.Shape, chunked.Shape);
        Assert.True(whole.Data.AsSpan(0, whole.Length).SequenceEqual(chunked.Data.AsSpan(0, chunked.Length)), preset);
    }

    [Theory]
    [InlineData("mnist-paper", false)]
    [InlineData("mnist-dcgan", true)]
    [InlineData("cifar10-dcgan", true)]
    [InlineData("mnist-cgan", false)]
    [InlineData("mnist-cdcgan", true)]
    public void ConvolutionalGeneratorsDrawInSmallChunksAndMlpsInLargeOnes(string preset, bool convolutional)
    {
        // The generators wrap their layers in modules of their own; the choice looks through them (it once saw only the
        // top module, and the paper's MLP drew in 128-row chunks, repacking its weights for each).
        var models = ModelFactory.Build(Presets.Get(preset), null);
        Assert.Equal(convolutional ? Samples.ChunkRows : 2048, Samples.RowsAtOnce(models.SamplingGenerator));
    }

    [Fact]
    public void SwitchedOnAtResumeItStartsFromTheWeightsReached()
    {
        TrainerTests.Trainer(TrainerTests.Small(10), Run("late")).Train();
        var plain = Checkpoint.Read(Run("late").LatestCheckpoint()!);
        Assert.False(Checkpoint.HasAveragedGenerator(plain));
        var loaded = ModelFactory.Build(plain.Config, null);
        Checkpoint.LoadWeights(plain, Checkpoint.GeneratorPrefix, loaded.Generator);
        float[] before = Weights(loaded.Generator);

        var resumed = TrainerTests.Trainer(Averaged(11, decay: 0.5), Run("late"), plain);
        resumed.Train();
        float[] after = Weights(resumed.Models.Generator), average = Weights(resumed.Models.AveragedGenerator!);
        for (int i = 0; i < average.Length; i++) Assert.Equal(0.5 * before[i] + 0.5 * after[i], average[i], 1e-6);
    }

    [Fact]
    public void ConfigRefusesADecayOfOneOrMore()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigIo.Validate(Averaged(5, decay: 1.0)));
        Assert.Contains("training.generator_ema", e.Message);
        Assert.Throws<ConfigException>(() => ConfigIo.Validate(Averaged(5, decay: -0.1)));
    }
}
