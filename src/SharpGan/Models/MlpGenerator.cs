using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Models;

/// <summary>
/// The paper's MNIST generator (PAPER §4): z → Linear+ReLU (1200) → Linear+ReLU (1200) → Linear+sigmoid (784).
/// Noise enters only at the bottom layer; no dropout. Parameter names: "net.0.weight" … "net.2.bias".
/// </summary>
public sealed class MlpGenerator : Module
{
    private readonly Sequential _net;

    /// <summary>Dimension of z.</summary>
    public int NoiseDim { get; }

    /// <summary>Dimension of a sample.</summary>
    public int OutputDim { get; }

    /// <summary>The output layer (its bias is set from the data's pixel marginals).</summary>
    public Linear Output { get; }

    /// <summary>Builds the network with zero weights; call <see cref="InitializeUniform"/>.</summary>
    public MlpGenerator(int noiseDim = 100, int hidden = 1200, int outputDim = 784, Activation outputActivation = Activation.Sigmoid)
    {
        NoiseDim = noiseDim;
        OutputDim = outputDim;
        Output = new Linear(hidden, outputDim, outputActivation);
        _net = RegisterModule("net", new Sequential(
            new Linear(noiseDim, hidden, Activation.ReLU),
            new Linear(hidden, hidden, Activation.ReLU),
            Output));
    }

    /// <summary>Every weight and bias U(−range, range) (the paper: 0.05).</summary>
    public void InitializeUniform(float range, Rng rng)
    {
        foreach (var p in Parameters()) Init.Uniform(p, range, rng);
    }

    /// <summary>
    /// Output bias = logit of the mean pixel value, so the untrained G already draws the data's average
    /// image (the reference code's trick; it shortens the start of training). Means are clamped to
    /// [1e-3, 1 − 1e-3] so always-black pixels get a finite bias.
    /// </summary>
    public void InitializeOutputBiasFromMarginals(ReadOnlySpan<float> pixelMeans)
    {
        if (pixelMeans.Length != OutputDim) throw new ArgumentException($"need {OutputDim} pixel means, got {pixelMeans.Length}", nameof(pixelMeans));
        var bias = Output.Bias!.Data;
        for (int i = 0; i < bias.Length; i++)
        {
            float p = Math.Clamp(pixelMeans[i], 1e-3f, 1f - 1e-3f);
            bias[i] = MathF.Log(p / (1f - p));
        }
    }

    /// <summary>The layers, in order (what Forward applies).</summary>
    public Sequential Network => _net;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => _net.Forward(input);
}
