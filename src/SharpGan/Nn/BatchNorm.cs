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
    public float Momentum { get; private set; }

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

    /// <summary>
    /// Standing statistics: every BatchNorm layer's running mean and variance in <paramref name="network"/> re-measured
    /// for its current weights, as the plain average over <paramref name="batches"/> training-mode passes of
    /// <paramref name="nextInput"/>() (PyTorch's momentum = None), replacing the moving average gathered while the weights
    /// were changing. Only the statistics change; no tape may be open. Returns whether the network has any BatchNorm.
    /// </summary>
    public static bool RemeasureRunningStatistics(Module network, Func<Tensor> nextInput, int batches)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batches);
        var layers = network.SelfAndDescendants().OfType<BatchNorm>().ToList();
        if (layers.Count == 0) return false;
        if (Autograd.Tape.Current is not null) throw new InvalidOperationException("re-measure statistics outside any tape");
        bool wasTraining = network.IsTraining;
        var momentum = layers.Select(l => l.Momentum).ToArray();
        network.Train();
        try
        {
            // Momentum 1/(k + 1) at pass k makes the running value the mean of the k + 1 batch values so far.
            for (int k = 0; k < batches; k++)
            {
                foreach (var layer in layers) layer.Momentum = 1f / (k + 1);
                network.Forward(nextInput());
            }
        }
        finally
        {
            for (int i = 0; i < layers.Count; i++) layers[i].Momentum = momentum[i];
            network.Train(wasTraining);
        }
        return true;
    }
}
