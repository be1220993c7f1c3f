using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>2-D convolution, NCHW; weight (out, in, k, k) as in PyTorch.</summary>
public sealed class Conv2d : Module
{
    /// <summary>(out, in, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>(out) or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on each side.</summary>
    public int Padding { get; }

    /// <summary>Creates the layer (zero weights; initialise with <see cref="Init"/>).</summary>
    public Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Weight = RegisterParameter("weight", new Tensor(outChannels, inChannels, kernel, kernel));
        if (bias) Bias = RegisterParameter("bias", new Tensor(outChannels));
        (Stride, Padding) = (stride, padding);
    }

    /// <summary>The weight as an eval-mode forward pass uses it: spectrally normalised when that is on (what exports write).</summary>
    public Tensor InferenceWeight => EffectiveWeight(Weight, training: false);

    /// <inheritdoc />
    protected override bool SupportsSpectralNorm => true;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Conv2d(input, EffectiveWeight(Weight, IsTraining), Bias, Stride, Padding);
}
