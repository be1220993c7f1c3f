using SharpGan.Autograd;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Nn;

/// <summary>
/// A fully connected layer with weight normalisation (Salimans &amp; Kingma 2016): y = f(x·wᵀ + b), w = g ⊙ v / ‖v‖ by
/// row, so the length g of each unit's weight vector is learned apart from its direction v. Parameters "v" (out, in),
/// "g" (out) and "bias" (out). Shapes: x (N, in) → y (N, out).
/// </summary>
public sealed class WeightNormLinear : Module
{
    /// <summary>The direction parameters v (out, in).</summary>
    public Tensor V { get; }

    /// <summary>The length parameters g (out).</summary>
    public Tensor G { get; }

    /// <summary>The bias (out).</summary>
    public Tensor Bias { get; }

    /// <summary>The activation f.</summary>
    public Activation Activation { get; }

    /// <summary>
    /// Creates the layer with zero parameters; g starts at 1 (initialise v before training). With
    /// <paramref name="trainScale"/> false, g is set once (by a data-dependent initialisation) and then held: a buffer,
    /// saved with the weights but not trained, as in Salimans et al.'s hidden layers.
    /// </summary>
    public WeightNormLinear(int inFeatures, int outFeatures, Activation activation = Activation.Identity, bool trainScale = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        V = RegisterParameter("v", new Tensor(outFeatures, inFeatures));
        G = trainScale ? RegisterParameter("g", new Tensor(outFeatures)) : RegisterBuffer("g", new Tensor(outFeatures));
        Array.Fill(G.Data, 1f);
        Bias = RegisterParameter("bias", new Tensor(outFeatures));
        Activation = activation;
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Linear(input, Ops.WeightNorm(V, G), Bias, Activation);
}
