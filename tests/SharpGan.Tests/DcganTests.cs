using SharpGan.Autograd;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

public class DcganTests
{
    private static GanConfig Tiny => Presets.Get("mnist-dcgan") with { Model = Presets.Get("mnist-dcgan").Model with { Features = 4, NoiseDim = 8 } };

    [Fact]
    public void NetworksMapNoiseToImagesAndImagesToLogits()
    {
        var models = ModelFactory.Build(Tiny, null);
        var z = new Tensor(3, 8);
        new Rng(1).FillGaussian(z.Data);
        var x = models.Generator.Forward(z);
        Assert.Equal([3, 784], x.Shape);
        Assert.All(x.Data, v => Assert.InRange(v, -1f, 1f)); // tanh output
        Assert.Equal([3, 1], models.Discriminator.Forward(x).Shape);
        // Paper §7 layout: weights N(0, 0.02), BatchNorm γ ≈ 1.
        var convWeight = models.Generator.NamedParameters().First(p => p.Value.Shape.Length == 4).Value;
        double std = Math.Sqrt(convWeight.Data.Select(v => (double)v * v).Average());
        Assert.InRange(std, 0.015, 0.025);
    }

    [Fact]
    public void CheckpointsCarryBatchNormRunningStatistics()
    {
        var dir = Directory.CreateTempSubdirectory("sharpgan-dcgan-").FullName;
        try
        {
            var config = Tiny with { TrainLimit = 256, Training = Tiny.Training with { BatchSize = 32, MaxSteps = 3 } };
            var train = SharpGan.Data.ImageDataset.Load(SharpGan.Data.DatasetCatalog.Mnist, SharpGan.Data.DatasetSplit.Train,
                SharpGan.Data.PixelRange.MinusOneOne, TestData.Locator()).Take(256);
            var run = new RunDirectory(dir);
            var trainer = new GanTrainer(config, train, run);
            Assert.Equal(TrainOutcome.Completed, trainer.Train().Outcome);
            var saved = trainer.Models.Generator.NamedBuffers().ToList();
            Assert.NotEmpty(saved);
            Assert.Contains(saved, b => b.Value.Data.Any(v => v != 0f && v != 1f)); // statistics moved during training
            var loaded = ModelFactory.Build(config, null);
            Checkpoint.LoadWeights(Checkpoint.Read(run.LatestCheckpoint()!), Checkpoint.GeneratorPrefix, loaded.Generator);
            foreach (var ((name, a), (_, b)) in trainer.Models.Generator.NamedState().Zip(loaded.Generator.NamedState()))
                Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), name);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void PixelRangeMustMatchTheOutputActivation()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigIo.Validate(Tiny with { PixelRange = SharpGan.Data.PixelRange.ZeroOne }));
        Assert.Contains("pixel_range", ex.Message);
    }
}
