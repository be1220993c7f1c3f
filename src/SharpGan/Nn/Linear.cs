using SharpGan.Autograd;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Nn;

/// <summary>
/// y = f(x·Wᵀ + b), with the activation f fused into the same kernel. weight is (out, in) as in PyTorch.
/// Parameters start at zero; initialise them with <see cref="Init"/> (presets do).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>(out, in).</summary>
    public Tensor Weight { get; }

    /// <summary>(out), or null without bias.</summary>
    public Tensor? Bias { get; }

    /// <summary>The fused activation.</summary>
    public Activation Activation { get; }

    /// <summary>Negative slope when <see cref="Activation"/> is LeakyReLU.</summary>
    public float Slope { get; }

    /// <summary>Creates the layer.</summary>
    public Linear(int inFeatures, int outFeatures, Activation activation = Activation.Identity, bool bias = true, float slope = 0.2f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        if (activation == Activation.LeakyReLU && !(slope > 0)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "LeakyReLU slope must be positive");
        Weight = RegisterParameter("weight", new Tensor(outFeatures, inFeatures));
        if (bias) Bias = RegisterParameter("bias", new Tensor(outFeatures));
        Activation = activation;
        Slope = slope;
    }

    /// <summary>The weight as an eval-mode forward pass uses it: spectrally normalised when that is on (what exports write).</summary>
    public Tensor InferenceWeight => EffectiveWeight(Weight, training: false);

    /// <inheritdoc />
    protected override bool SupportsSpectralNorm => true;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Linear(input, EffectiveWeight(Weight, IsTraining), Bias, Activation, Slope);
}
