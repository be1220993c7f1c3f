using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// Additive Gaussian noise x + σ·ε in training, the identity in eval mode: the regulariser between the layers of
/// Salimans et al.'s semi-supervised MNIST discriminator (σ 0.3 on the input, 0.5 after each hidden layer).
/// </summary>
public sealed class GaussianNoise : Module
{
    private readonly Rng _rng;

    /// <summary>σ.</summary>
    public float Std { get; }

    /// <summary>Creates the layer; noise comes from <paramref name="rng"/> (a run's stream, so resumes draw the same).</summary>
    public GaussianNoise(float std, Rng rng)
    {
        if (!(std >= 0f) || float.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "noise std must be finite and ≥ 0");
        (Std, _rng) = (std, rng ?? throw new ArgumentNullException(nameof(rng)));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => IsTraining ? Ops.GaussianNoise(input, Std, _rng) : input;
}
