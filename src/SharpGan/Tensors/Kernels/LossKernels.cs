namespace SharpGan.Tensors.Kernels;

/// <summary>Binary cross-entropy computed from logits without ever forming log(sigmoid(x)).</summary>
internal static class LossKernels
{
    /// <summary>
    /// Mean over i of  −[t·log σ(x) + (1−t)·log(1−σ(x))] = max(x, 0) − x·t + log(1 + e^−|x|),
    /// which neither overflows for large |x| nor loses precision near 0. Accumulated in double.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static float BceWithLogitsMean(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets)
    {
        double sum = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double x = logits[i];
            sum += Math.Max(x, 0) - x * targets[i] + Math.Log(1 + Math.Exp(-Math.Abs(x)));
        }
        return (float)(sum / logits.Length);
    }

    /// <summary>dx[i] += scale·(σ(x[i]) − t[i]), the gradient of the mean BCE when scale = dLoss / n.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void BceWithLogitsBackward(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, float scale, Span<float> dx)
    {
        for (int i = 0; i < logits.Length; i++)
        {
            float x = logits[i];
            // σ(x) written two ways so e^x never overflows.
            float s = x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));
            dx[i] += scale * (s - targets[i]);
        }
    }
}
