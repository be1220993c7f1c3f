using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SharpGan.Export;
using SharpGan.Gan;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Training;
using Tensor = SharpGan.Tensors.Tensor;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Every architecture's G and D, exported to ONNX and run in ONNX Runtime, give SharpGAN's outputs for the same input.</summary>
public class OnnxExportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const float Tolerance = 1e-5f;

    // Full-size presets, so the files are what a user exports; EMA on, so the averaged generator is the one exported.
    public static TheoryData<string> Presets_ => ["mnist-paper", "mnist-dcgan", "cifar10-dcgan"];

    private static GanModels Trained(string preset)
    {
        var config = Presets.Get(preset) with { Training = Presets.Get(preset).Training with { GeneratorEma = 0.9 } };
        var models = ModelFactory.Build(config, null);
        // Give BatchNorm running statistics and the average of G values that differ from their defaults and from G.
        var rng = new Rng(7);
        foreach (var module in new[] { models.Generator, models.Discriminator, models.AveragedGenerator! })
            foreach (var (name, t) in module.NamedBuffers())
                if (name.EndsWith("running_var")) rng.FillUniform(t.Data, 0.5f, 2f); else rng.FillUniform(t.Data, -0.5f, 0.5f);
        // The paper's D starts at ±0.005 weights, logits ≈ 0.003: scaled up so the comparison sees logits of order 1.
        if (preset == "mnist-paper") foreach (var (_, t) in models.Discriminator.NamedParameters()) for (int i = 0; i < t.Length; i++) t.Data[i] *= 50f;
        new GeneratorAverage(models.Generator, models.AveragedGenerator!, 0.9).Reset(); // the average starts as a copy of G…
        foreach (var (_, t) in models.AveragedGenerator!.NamedParameters()) for (int i = 0; i < t.Length; i++) t.Data[i] *= 1.5f; // …then drifts
        return models;
    }

    private static float[] RunOnnx(byte[] model, string input, float[] values, int[] shape, string output)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(values, shape))]);
        return results.Single(r => r.Name == output).AsEnumerable<float>().ToArray();
    }

    private static float[] Eval(Module module, Tensor x)
    {
        module.Eval();
        try { return module.Forward(x).Data.ToArray(); }
        finally { module.Train(); }
    }

    [Theory]
    [MemberData(nameof(Presets_))]
    public void GeneratorRunsInOnnxRuntimeAsInSharpGan(string preset)
    {
        var models = Trained(preset);
        const int batch = 5;
        var z = new Tensor(batch, models.NoiseDim);
        new Rng(3).FillGaussian(z.Data);
        var expected = Eval(models.SamplingGenerator, z);
        var onnx = RunOnnx(OnnxExport.Generator(models, models.SamplingGenerator), "z", z.Data, [batch, models.NoiseDim], "images");
        Assert.Equal(batch * models.SampleDim, onnx.Length);
        float worst = expected.Zip(onnx, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{preset} G: max |ONNX − SharpGAN| = {worst:G3} (outputs in [{expected.Min():G3}, {expected.Max():G3}])");
        Assert.True(worst <= Tolerance, $"{preset}: max |ONNX − SharpGAN| = {worst:G3}");
        // The averaged generator differs from G, so the test would see the wrong one exported.
        Assert.NotEqual(Eval(models.Generator, z)[0], onnx[0]);
    }

    [Theory]
    [MemberData(nameof(Presets_))]
    public void DiscriminatorRunsInOnnxRuntimeAsInSharpGan(string preset)
    {
        var models = Trained(preset);
        const int batch = 4;
        var x = new Tensor(batch, models.SampleDim);
        new Rng(4).FillUniform(x.Data, -1, 1);
        var logits = Eval(models.Discriminator, x);
        byte[] file = OnnxExport.Discriminator(models);
        var onnx = RunOnnx(file, "images", x.Data, [batch, models.SampleChannels, models.SampleHeight, models.SampleWidth], "logit");
        float worst = logits.Zip(onnx, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{preset} D: max |ONNX − SharpGAN| logit = {worst:G3} (logits up to {logits.Max(Math.Abs):G3})");
        Assert.True(worst <= Tolerance, $"{preset}: max |ONNX − SharpGAN| logit = {worst:G3}");
        var probability = RunOnnx(file, "images", x.Data, [batch, models.SampleChannels, models.SampleHeight, models.SampleWidth], "probability");
        Assert.Equal(onnx.Select(l => 1 / (1 + MathF.Exp(-l))), probability, (a, b) => Math.Abs(a - b) <= 1e-6f);
    }

    [Fact]
    public void TheBatchDimensionIsDynamicAndMetadataIsKept()
    {
        var models = Trained("mnist-paper");
        byte[] file = OnnxExport.Generator(models, models.SamplingGenerator, new Dictionary<string, string> { ["pixel_range"] = "zero_one" });
        using var session = new InferenceSession(file);
        Assert.Equal(-1, session.InputMetadata["z"].Dimensions[0]);
        Assert.Equal([-1, 1, 28, 28], session.OutputMetadata["images"].Dimensions);
        Assert.Equal("zero_one", session.ModelMetadata.CustomMetadataMap["pixel_range"]);
        foreach (int batch in new[] { 1, 3 })
            Assert.Equal(batch * 784, RunOnnx(file, "z", new float[batch * models.NoiseDim], [batch, models.NoiseDim], "images").Length);
    }
}
