using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using SharpGan.Autograd;
using SharpGan.Export;
using SharpGan.Gan;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The objectives after the paper (hinge, Wasserstein, least squares), the gradient penalties and spectral normalisation.</summary>
public class ObjectiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-objectives-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Tensor Real = Tensor.FromArray([2f, -1f], 2, 1), Fake = Tensor.FromArray([0.5f, -3f], 2, 1);

    [Theory]
    // D: mean(max(0, 1 − real)) + mean(max(0, 1 + fake)) = 1 + 0.75; G: −mean(fake).
    [InlineData(GanObjective.Hinge, 1.75, 1.25)]
    // D: mean(fake) − mean(real); G: −mean(fake).
    [InlineData(GanObjective.Wasserstein, -1.75, 1.25)]
    // D: ½(mean((real − 1)²) + mean(fake²)) = ½(2.5 + 4.625); G: ½·mean((fake − 1)²) = ½·8.125.
    [InlineData(GanObjective.LeastSquares, 3.5625, 4.0625)]
    public void ObjectivesAreTheirFormulas(GanObjective objective, double discriminator, double generator)
    {
        Assert.Equal(discriminator, GanLosses.Discriminator(objective, Real, Fake).Item(), 5);
        Assert.Equal(generator, GanLosses.Generator(objective, Fake, GeneratorLoss.NonSaturating).Item(), 5);
        Tensor real = Real.Clone(), fake = Fake.Clone();
        TestUtil.CheckGradients(() => GanLosses.Discriminator(objective, real, fake), [real, fake], eps: 1e-3f);
        TestUtil.CheckGradients(() => GanLosses.Generator(objective, fake, GeneratorLoss.NonSaturating), [fake], eps: 1e-3f);
    }

    [Fact]
    public void TheStandardObjectiveOnTwoHalvesIsThePapersOnTheWholeBatch()
    {
        var both = Ops.Concat(0, Real, Fake);
        var targets = Tensor.FromArray([1f, 1f, 0f, 0f], 4, 1);
        Assert.Equal(GanLosses.Discriminator(both, targets).Item(), GanLosses.Discriminator(GanObjective.Standard, Real, Fake).Item(), 5);
    }

    [Fact]
    public void SpectralNormFindsTheLargestSingularValue()
    {
        var rng = new Rng(3);
        var layer = new Linear(10, 6);
        rng.FillGaussian(layer.Weight.Data);
        layer.UseSpectralNorm(rng);
        // The largest singular value in double precision: power iteration on WᵀW run to convergence.
        double[] v = [.. Enumerable.Repeat(1.0, 10)];
        double sigma = 0;
        for (int iteration = 0; iteration < 5000; iteration++)
        {
            double[] wv = [.. Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 10).Sum(j => layer.Weight.Data[i * 10 + j] * v[j]))];
            double[] wtwv = [.. Enumerable.Range(0, 10).Select(j => Enumerable.Range(0, 6).Sum(i => layer.Weight.Data[i * 10 + j] * wv[i]))];
            double norm = Math.Sqrt(wtwv.Sum(e => e * e));
            v = [.. wtwv.Select(e => e / norm)];
            sigma = Math.Sqrt(norm);
        }
        Tensor normalized = null!;
        for (int i = 0; i < 300; i++) normalized = layer.Spectral!.Apply(layer.Weight, training: true);
        double scale = layer.Weight.Data[0] / normalized.Data[0];
        Assert.Equal(sigma, scale, sigma * 1e-4);
        // Eval mode leaves u and v alone and divides by the same σ.
        float[] u = (float[])layer.Spectral.U.Data.Clone();
        Assert.Equal(normalized.Data, layer.InferenceWeight.Data);
        Assert.Equal(u, layer.Spectral.U.Data);
    }

    [Fact]
    public void SpectralNormGradientIncludesSigmasDependenceOnTheWeight()
    {
        // With u and v fixed (eval mode), y = x·(W/σ(W))ᵀ with σ = uᵀWv; finite differences see σ move with W.
        var rng = new Rng(5);
        var layer = new Linear(5, 4);
        rng.FillGaussian(layer.Weight.Data, 0f, 0.5f);
        layer.UseSpectralNorm(rng);
        for (int i = 0; i < 20; i++) layer.Spectral!.Apply(layer.Weight, training: true);
        layer.Eval();
        var x = TestUtil.Random(rng, 1f, 3, 5);
        var r = TestUtil.Random(rng, 1f, 3, 4);
        TestUtil.CheckGradients(() => Ops.Sum(Ops.Multiply(layer.Forward(x), r)), [layer.Weight, x], eps: 1e-3f);
    }

    private static GanConfig Tiny(string preset, long steps) => Presets.Get(preset) with
    {
        TrainLimit = 256,
        Model = Presets.Get(preset).Model with { Features = 4, NoiseDim = 8 },
        Training = Presets.Get(preset).Training with { BatchSize = 16, MaxSteps = steps, LogEvery = 2 },
    };

    private static float[] AllState(GanTrainer t) =>
        [.. t.Models.Generator.NamedState().Concat(t.Models.Discriminator.NamedState()).SelectMany(p => p.Value.Data)];

    [Theory]
    [InlineData("mnist-dcgan-r1")]
    [InlineData("mnist-dcgan-hinge-sn")]
    [InlineData("mnist-dcgan-wgangp")]
    [InlineData("mnist-dcgan-lsgan")]
    public void EachPresetTrainsAndResumesBitIdentically(string preset)
    {
        RunDirectory Run(string name) => new(Path.Combine(_dir, preset + name));
        var train = SharpGan.Data.ImageDataset.Load(SharpGan.Data.DatasetCatalog.Mnist, SharpGan.Data.DatasetSplit.Train,
            SharpGan.Data.PixelRange.MinusOneOne, TestData.Locator()).Take(256);
        GanTrainer Trainer(long steps, RunDirectory run, Checkpoint.Loaded? from = null) => new(Tiny(preset, steps), train, run, from);
        var straight = Trainer(6, Run("straight"));
        Assert.Equal(TrainOutcome.Completed, straight.Train().Outcome);
        Trainer(3, Run("split")).Train();
        var resumed = Trainer(6, Run("split"), Checkpoint.Read(Run("split").LatestCheckpoint()!));
        resumed.Train();
        Assert.Equal(AllState(straight), AllState(resumed)); // weights, BatchNorm statistics and spectral-norm vectors
        var rows = new MetricsLog(Run("straight").MetricsPath, long.MaxValue).Rows;
        Assert.All(rows, row => Assert.True(float.IsFinite((float)row.DLoss) && float.IsFinite((float)row.GLoss)));
        if (preset.EndsWith("-sn")) Assert.Contains(straight.Models.Discriminator.NamedBuffers(), b => b.Name.EndsWith("weight_u"));
    }

    [Fact]
    public void TheGradientPenaltyMovesTheCriticsGradientNormTowardOne()
    {
        // A critic trained on the penalty alone: (‖∇D‖ − 1)² falls as D's input gradient norms approach 1.
        var config = Tiny("mnist-dcgan-wgangp", 1);
        var models = ModelFactory.Build(config, null);
        var optimizer = ModelFactory.BuildOptimizer(config with { Optimizer = config.Optimizer with { LearningRate = 1e-3f } }, models.Discriminator, Player.Discriminator, 10);
        var rng = new Rng(9);
        Tensor real = TestUtil.Random(rng, 1f, 16, 784), fake = TestUtil.Random(rng, 1f, 16, 784);
        var tape = new Tape();
        float Penalty()
        {
            optimizer.ZeroGrad();
            using (tape.Begin(secondOrder: true))
            {
                float[] mixing = [.. Enumerable.Range(0, 16).Select(_ => rng.NextFloat())];
                var p = GanLosses.WassersteinGradientPenalty(tape, models.Discriminator, real, fake, mixing, 1f, 784);
                tape.Backward(p);
                return p.Item();
            }
        }
        float first = Penalty();
        for (int i = 0; i < 60; i++) { Penalty(); optimizer.Step(); }
        float last = Penalty();
        Assert.True(last < first / 10, $"penalty {first} → {last}");
    }

    [Fact]
    public void ASpectrallyNormalisedDiscriminatorExportsItsNormalisedWeights()
    {
        var config = Tiny("mnist-dcgan-hinge-sn", 1);
        var models = ModelFactory.Build(config, null);
        var d = models.Discriminator;
        var x = TestUtil.Random(new Rng(2), 1f, 3, 784);
        d.Forward(x); // one training-mode pass moves u and v
        d.Eval();
        float[] expected = d.Forward(x).Data;
        using var session = new InferenceSession(OnnxExport.Discriminator(models));
        var input = new DenseTensor(x.Data, [3, 1, 28, 28]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input)]);
        float[] actual = [.. results.First().AsEnumerable<float>()];
        TestUtil.AssertClose(expected, actual, 1e-4, "ONNX D vs SharpGAN D");
    }
}
