using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// Maxout layer: <see cref="Units"/> outputs, each the max of <see cref="Pieces"/> linear pieces.
/// weight is (units·pieces, in), unit-major — the paper's discriminator uses 240 units × 5 pieces.
/// </summary>
public sealed class Maxout : Module
{
    /// <summary>(units·pieces, in).</summary>
    public Tensor Weight { get; }

    /// <summary>(units·pieces).</summary>
    public Tensor Bias { get; }

    /// <summary>Output features.</summary>
    public int Units { get; }

    /// <summary>Linear pieces per unit.</summary>
    public int Pieces { get; }

    /// <summary>Creates the layer.</summary>
    public Maxout(int inFeatures, int units, int pieces)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieces);
        Units = units;
        Pieces = pieces;
        Weight = RegisterParameter("weight", new Tensor(units * pieces, inFeatures));
        Bias = RegisterParameter("bias", new Tensor(units * pieces));
    }

    /// <summary>The weight as an eval-mode forward pass uses it: spectrally normalised when that is on (what exports write).</summary>
    public Tensor InferenceWeight => EffectiveWeight(Weight, training: false);

    /// <inheritdoc />
    protected override bool SupportsSpectralNorm => true;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Maxout(input, EffectiveWeight(Weight, IsTraining), Bias, Units, Pieces);
}
