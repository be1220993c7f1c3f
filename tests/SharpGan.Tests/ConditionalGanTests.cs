using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpGan.Autograd;
using SharpGan.Export;
using SharpGan.Gan;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;
using Tensor = SharpGan.Tensors.Tensor;

namespace SharpGan.Tests;

/// <summary>Conditional GANs (paper §7, item 1): the label reaches both players, resumes exactly, samples by class, exports.</summary>
public class ConditionalGanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-cgan-").FullName;
    private readonly Rng _rng = new(11);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GanConfig SmallConditional(long steps, string preset = "mnist-cgan") => TrainerTests.Small(steps) with
    {
        Preset = preset,
        Model = TrainerTests.Small(steps).Model with { Conditional = true },
    };

    [Fact]
    public void ThePresetsBuildConditionalPlayersOfTheCountedSize()
    {
        foreach (var name in new[] { "mnist-cgan", "fashion-mnist-cgan", "mnist-cdcgan" })
        {
            var config = Presets.Get(name);
            var models = ModelFactory.Build(config, null);
            Assert.Equal(10, models.Classes);
            Assert.Equal(110, models.GeneratorInputDim);
            var (g, d) = ModelFactory.StateElementCounts(config);
            Assert.Equal(g, models.Generator.NamedState().Sum(p => (long)p.Value.Length));
            Assert.Equal(d, models.Discriminator.NamedState().Sum(p => (long)p.Value.Length));
            // G maps (m, 110) to images; D maps (m, pixels + 10) to one logit each.
            models.Generator.Eval(); models.Discriminator.Eval();
            Assert.Equal([3, models.SampleDim], models.Generator.Forward(new Tensor(3, 110)).Shape);
            Assert.Equal([3, 1], models.Discriminator.Forward(new Tensor(3, models.SampleDim + 10)).Shape);
        }
    }

    [Fact]
    public void InputDropoutNeverTouchesTheLabelColumns()
    {
        var dropout = new Dropout(0.5f, new Rng(3), passThroughColumns: 3);
        var x = new Tensor(4, 8);
        Array.Fill(x.Data, 1f);
        var y = dropout.Forward(x);
        for (int r = 0; r < 4; r++)
        {
            Assert.Equal([1f, 1f, 1f], y.Data.AsSpan(r * 8 + 5, 3).ToArray());
            Assert.All(y.Data.AsSpan(r * 8, 5).ToArray(), v => Assert.True(v == 0f || v == 2f));
        }
    }

    [Fact]
    public void LabelPlanesStackTheClassBesideTheImageAndPassGradients()
    {
        var planes = new LabelPlanes(channels: 2, side: 3, classes: 4);
        var x = TestUtil.Random(_rng, 1, 2, 2 * 9 + 4);
        var y = planes.Forward(x);
        Assert.Equal([2, 6, 3, 3], y.Shape);
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 4; k++)
                Assert.All(y.Data.AsSpan(((n * 6) + 2 + k) * 9, 9).ToArray(), v => Assert.Equal(x.Data[n * 22 + 18 + k], v));
        Assert.Equal(x.Data.AsSpan(0, 18).ToArray(), y.Data.AsSpan(0, 18).ToArray());
        var weights = TestUtil.Random(_rng, 1, 2, 6, 3, 3);
        TestUtil.CheckGradients(() => Ops.Sum(Ops.Multiply(planes.Forward(x), weights)), [x]);
    }

    [Fact]
    public void AConditionalRunResumesBitIdentically()
    {
        var straightRun = new RunDirectory(Path.Combine(_dir, "straight"));
        var splitRun = new RunDirectory(Path.Combine(_dir, "split"));
        var (straight, resumed) = TrainerTests.StraightAndSplit(steps => SmallConditional(steps), 30, 13, straightRun, splitRun);
        Assert.Equal(10, straight.Models.Classes);
        var a = Checkpoint.Read(straightRun.LatestCheckpoint()!);
        var b = Checkpoint.Read(splitRun.LatestCheckpoint()!);
        foreach (var (name, t) in a.Content.Tensors) Assert.Equal(t.Data, b.Content.Tensors[name].Data);
        Assert.Contains(RandomStreams.NameOf(RandomStream.Labels), a.State.Random!.Keys);
    }

    [Fact]
    public void TheGridHasARowPerClassAndOneZDownEachColumn()
    {
        var models = ModelFactory.Build(SmallConditional(1), null);
        var input = Samples.GridInput(models, NoisePrior.Gaussian, rows: 10, columns: 4, new Rng(5));
        Assert.Equal([40, 110], input.Shape);
        for (int r = 0; r < 10; r++)
            for (int c = 0; c < 4; c++)
            {
                var row = input.Data.AsSpan((r * 4 + c) * 110, 110);
                Assert.Equal(input.Data.AsSpan(c * 110, 100).ToArray(), row[..100].ToArray()); // the same z in every row
                Assert.Equal(Enumerable.Range(0, 10).Select(k => k == r ? 1f : 0f), row[100..].ToArray());
            }
        // Samples of one asked class, and the default: the classes in turn.
        var one = Samples.Input(models, NoisePrior.Gaussian, 3, new Rng(1), [7, 7, 7]);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(1f, one.Data[i * 110 + 107]));
        var turn = Samples.Input(models, NoisePrior.Gaussian, 12, new Rng(1));
        Assert.Equal(1f, turn.Data[11 * 110 + 100 + 1]);
    }

    [Theory]
    [InlineData("mnist-cgan")]
    [InlineData("mnist-cdcgan")]
    public void ConditionalModelsExportWithALabelInput(string preset)
    {
        var models = ModelFactory.Build(Presets.Get(preset), null);
        const int batch = 4;
        var z = new Tensor(batch, models.NoiseDim);
        new Rng(2).FillGaussian(z.Data);
        byte[] labels = [0, 3, 7, 9];
        models.Generator.Eval(); models.Discriminator.Eval();
        var expected = models.Generator.Forward(Samples.WithLabels(models, z, labels)).Data;
        var onnxLabels = new DenseTensor<long>(labels.Select(l => (long)l).ToArray(), [batch]);
        using (var g = new InferenceSession(OnnxExport.Generator(models, models.Generator)))
        using (var results = g.Run([NamedOnnxValue.CreateFromTensor("z", new DenseTensor<float>(z.Data, [batch, models.NoiseDim])), NamedOnnxValue.CreateFromTensor("label", onnxLabels)]))
        {
            var images = results.Single(r => r.Name == "images").AsEnumerable<float>().ToArray();
            Assert.True(expected.Zip(images, (a, b) => Math.Abs(a - b)).Max() <= 1e-5f);
        }
        var x = new Tensor(batch, models.SampleDim);
        new Rng(3).FillUniform(x.Data, -1, 1);
        var withLabels = new Tensor(batch, models.SampleDim + 10);
        for (int i = 0; i < batch; i++) x.Data.AsSpan(i * models.SampleDim, models.SampleDim).CopyTo(withLabels.Data.AsSpan(i * (models.SampleDim + 10)));
        ClassConditioning.WriteOneHot(withLabels.Data, batch, models.SampleDim + 10, labels, 10);
        var logits = models.Discriminator.Forward(withLabels).Data;
        using var d = new InferenceSession(OnnxExport.Discriminator(models));
        using var dResults = d.Run([NamedOnnxValue.CreateFromTensor("images", new DenseTensor<float>(x.Data, [batch, models.SampleChannels, models.SampleHeight, models.SampleWidth])), NamedOnnxValue.CreateFromTensor("label", onnxLabels)]);
        var onnxLogits = dResults.Single(r => r.Name == "logit").AsEnumerable<float>().ToArray();
        Assert.True(logits.Zip(onnxLogits, (a, b) => Math.Abs(a - b)).Max() <= 1e-5f);
    }

    [Fact]
    public void RealImagesAskedForTheirOwnClassAgreeAndSitCloseToTheirClass()
    {
        // Test images "asked for" their true labels: agreement is the classifier's accuracy; shuffled labels give ~10 %.
        var (classifier, _) = Evaluation.FeatureClassifier.LoadFor("mnist", Evaluation.FeatureClassifier.Shipped("mnist"), "this test");
        var test = Data.DatasetCatalog.Load("mnist", Data.DatasetSplit.Test, Data.PixelRange.ZeroOne, TestData.Locator()).Take(1200);
        var (half, rest) = (test.Take(600), test.Pixels.AsSpan(600 * 784).ToArray());
        var restLabels = test.Labels.AsSpan(600).ToArray();
        var own = Evaluation.ConditionalMetrics.Compute(classifier, half.Pixels, half.Labels, 600, rest, restLabels, 600, 10);
        Assert.True(own.Agreement >= 0.98, $"agreement {own.Agreement:P2}");
        var shifted = half.Labels.Select(l => (byte)((l + 1) % 10)).ToArray();
        var wrong = Evaluation.ConditionalMetrics.Compute(classifier, half.Pixels, shifted, 600, rest, restLabels, 600, 10);
        Assert.True(wrong.Agreement < 0.05, $"agreement with the wrong classes {wrong.Agreement:P2}");
        // Each class of real images is far closer to the same class than the shifted labels' pairing.
        Assert.True(own.FrechetByClass.Average() * 3 < wrong.FrechetByClass.Average(), $"{own.FrechetByClass.Average():F1} vs {wrong.FrechetByClass.Average():F1}");
    }
}
