using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>The costs of PAPER §4, all from logits through the stable BCE.</summary>
public static class GanLosses
{
    /// <summary>
    /// D's cost on a batch whose first half is real and second half fake:
    /// 0.5·(BCE(D(x), 1) + BCE(D(G(z)), 0)) — the mean BCE over the batch against targets [1…1, 0…0].
    /// </summary>
    public static Tensor Discriminator(Tensor logitsRealThenFake, Tensor targetsOnesThenZeros) =>
        Ops.BinaryCrossEntropyWithLogits(logitsRealThenFake, targetsOnesThenZeros);

    /// <summary>G's cost on D's logits for G(z).</summary>
    public static Tensor Generator(Tensor logitsFake, GeneratorLoss kind) => kind switch
    {
        GeneratorLoss.NonSaturating => Ops.BinaryCrossEntropyWithLogits(logitsFake, 1f),
        // log(1 − σ(x)) = −BCE(x, 0), so minimising mean log(1 − D) is minimising −BCE(x, 0).
        GeneratorLoss.Minimax => Ops.Scale(Ops.BinaryCrossEntropyWithLogits(logitsFake, 0f), -1f),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown generator loss"),
    };

    /// <summary>Mean of σ(logit) over rows [start, start+count): the batch's mean D output.</summary>
    public static float MeanProbability(ReadOnlySpan<float> logits, int start, int count)
    {
        double sum = 0;
        for (int i = start; i < start + count; i++) sum += 1.0 / (1.0 + Math.Exp(-logits[i]));
        return (float)(sum / count);
    }
}
