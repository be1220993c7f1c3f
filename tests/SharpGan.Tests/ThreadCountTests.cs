using SharpGan.Gan;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Engine.Threads changes the speed of training, never its result: the products, the passes between them (bias,
/// activations, maxout, dropout, BatchNorm) and the optimiser updates are cut the same way at any thread count.
/// </summary>
public class ThreadCountTests
{
    [Theory]
    [InlineData("mnist-paper", 4)]   // GEMMs, maxout, dropout, sigmoid, SGD with momentum; tensors past the parallel cut-off
    [InlineData("mnist-dcgan", 2)]   // convolutions, BatchNorm, LeakyReLU, tanh, Adam
    public void IterationsGiveTheSameWeightsOnOneAndTwoThreads(string preset, int iterations)
    {
        int saved = Engine.Threads;
        try
        {
            var one = Train(preset, iterations, threads: 1);
            var two = Train(preset, iterations, threads: 2);
            Assert.Equal(one.Count, two.Count);
            foreach (var (name, values) in one) Assert.True(values.AsSpan().SequenceEqual(two[name]), $"{preset}: {name} differs between 1 and 2 threads");
        }
        finally { Engine.Threads = saved; }
    }

    [Fact]
    public void GaussianNoiseLayersDrawTheSameValuesOnOneAndTwoThreads()
    {
        // 300 × 784 values: past the parallel cut-off, so two threads draw pieces of the counter-based stream apart.
        int saved = Engine.Threads;
        try
        {
            var x = new Tensor(300, 784);
            new Rng(3).FillUniform(x.Data, 0f, 1f);
            float[] Noisy(int threads)
            {
                Engine.Threads = threads;
                return SharpGan.Autograd.Ops.GaussianNoise(x, 0.3f, new Rng(4)).Data;
            }
            var one = Noisy(1);
            Assert.Equal(one, Noisy(2));
            Assert.NotEqual(x.Data, one);
        }
        finally { Engine.Threads = saved; }
    }

    private static Dictionary<string, float[]> Train(string preset, int iterations, int threads)
    {
        Engine.Threads = threads;
        var config = Presets.Get(preset);
        int batch = config.Training.BatchSize;
        var models = ModelFactory.Build(config, null);
        var optG = ModelFactory.BuildOptimizer(config, models.Generator, Player.Generator, 600);
        var optD = ModelFactory.BuildOptimizer(config, models.Discriminator, Player.Discriminator, 600);
        var step = new AdversarialStep(models.Generator, models.Discriminator, optG, optD, batch, models.NoiseDim, new Rng(99))
        {
            SeparateBatches = config.Training.SeparateDiscriminatorBatches,
        };
        var real = new Tensor(batch, models.SampleDim);
        new Rng(1234).FillUniform(real.Data, config.PixelRange == Data.PixelRange.ZeroOne ? 0 : -1, 1);
        for (int i = 0; i < iterations; i++) step.Run(() => real);
        return models.Generator.NamedParameters().Select(p => ("G." + p.Name, p.Value))
            .Concat(models.Discriminator.NamedParameters().Select(p => ("D." + p.Name, p.Value)))
            .ToDictionary(p => p.Item1, p => (float[])p.Item2.Data.Clone());
    }
}
