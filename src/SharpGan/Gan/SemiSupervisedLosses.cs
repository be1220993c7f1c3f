using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// Semi-supervised GAN losses (Salimans et al. 2016, §5): D is a K-class classifier whose K logits l also say "real"
/// against an implicit (K+1)-th fake class with its logit fixed at 0, so D(x) = Z / (Z + 1) with Z = Σ_k e^{l_k}. G is
/// trained by feature matching on an intermediate layer of D.
/// </summary>
public static class SemiSupervisedLosses
{
    /// <summary>
    /// D's loss: the cross-entropy of the labelled rows against their labels, plus <paramref name="unsupervisedWeight"/> ×
    /// (the mean of −log D(x) = softplus(−lse(l)) over unlabelled real rows and of −log(1 − D(G(z))) = softplus(lse(l))
    /// over generated rows). All logits are (rows, K).
    /// </summary>
    public static Tensor Discriminator(Tensor labelledLogits, ReadOnlySpan<byte> labels, Tensor unlabelledLogits, Tensor generatedLogits, float unsupervisedWeight = 1f)
    {
        var supervised = Ops.SoftmaxCrossEntropy(labelledLogits, labels);
        var real = Ops.Mean(Ops.Softplus(Ops.Scale(Ops.LogSumExpRows(unlabelledLogits), -1f)));
        var fake = Ops.Mean(Ops.Softplus(Ops.LogSumExpRows(generatedLogits)));
        return Ops.Add(supervised, Ops.Scale(Ops.Add(real, fake), unsupervisedWeight));
    }

    /// <summary>
    /// G's feature matching: the mean over features of (mean over the batch of D's features on real rows − the same on
    /// generated rows)², both (rows, features). D's features of real data carry no gradient to G; pass them computed
    /// under no-grad or with D frozen.
    /// </summary>
    public static Tensor FeatureMatching(Tensor realFeatures, Tensor generatedFeatures)
    {
        var difference = Ops.Add(Ops.ColumnMeans(realFeatures), Ops.Scale(Ops.ColumnMeans(generatedFeatures), -1f));
        return Ops.Mean(Ops.Multiply(difference, difference));
    }

    /// <summary>The probability D gives a row of being real: Z / (Z + 1) = σ(lse(l)), for logits (rows, K).</summary>
    public static float[] RealProbabilities(ReadOnlySpan<float> logits, int rows, int classes)
    {
        var p = new float[rows];
        for (int n = 0; n < rows; n++)
        {
            var row = logits.Slice(n * classes, classes);
            float max = float.NegativeInfinity, sum = 0f;
            foreach (float v in row) max = MathF.Max(max, v);
            foreach (float v in row) sum += MathF.Exp(v - max);
            p[n] = 1f / (1f + MathF.Exp(-(max + MathF.Log(sum))));
        }
        return p;
    }
}
