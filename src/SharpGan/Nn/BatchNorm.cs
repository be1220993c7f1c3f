using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// Batch normalisation for (N, F) or (N, C, H, W) inputs (BatchNorm1d/2d). Batch statistics in training mode,
/// running statistics (saved in checkpoints as buffers) in eval mode.
/// </summary>
public sealed class BatchNorm : Module
{
    /// <summary>Scale γ (null without affine).</summary>
    public Tensor? Gamma { get; }

    /// <summary>Shift β (null without affine).</summary>
    public Tensor? Beta { get; }

    /// <summary>Running mean (buffer).</summary>
    public Tensor RunningMean { get; }

    /// <summary>Running variance (buffer).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Running-statistics momentum (PyTorch convention).</summary>
    public float Momentum { get; }

    /// <summary>Variance guard.</summary>
    public float Epsilon { get; }

    /// <summary>Creates the layer: γ = 1, β = 0, running mean 0, running variance 1.</summary>
    public BatchNorm(int channels, float momentum = 0.1f, float epsilon = 1e-5f, bool affine = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive");
        if (affine)
        {
            Gamma = RegisterParameter("weight", new Tensor(channels));
            Array.Fill(Gamma.Data, 1f);
            Beta = RegisterParameter("bias", new Tensor(channels));
        }
        RunningMean = RegisterBuffer("running_mean", new Tensor(channels));
        RunningVar = RegisterBuffer("running_var", new Tensor(channels));
        Array.Fill(RunningVar.Data, 1f);
        (Momentum, Epsilon) = (momentum, epsilon);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.BatchNorm(input, Gamma, Beta, RunningMean, RunningVar, IsTraining, Momentum, Epsilon);
}
