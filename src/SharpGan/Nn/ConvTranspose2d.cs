using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>Transposed ("fractionally strided") 2-D convolution, NCHW; weight (in, out, k, k) as in PyTorch.</summary>
public sealed class ConvTranspose2d : Module
{
    /// <summary>(in, out, k, k).</summary>
    public Tensor Weight { get; }

    /// <summary>(out) or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding removed from each side of the output.</summary>
    public int Padding { get; }

    /// <summary>Creates the layer (zero weights; initialise with <see cref="Init"/>).</summary>
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0, bool bias = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernel);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        Weight = RegisterParameter("weight", new Tensor(inChannels, outChannels, kernel, kernel));
        if (bias) Bias = RegisterParameter("bias", new Tensor(outChannels));
        (Stride, Padding) = (stride, padding);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.ConvTranspose2d(input, Weight, Bias, Stride, Padding);
}
