using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Fused fully connected layer: y = f(x·Wᵀ + b). x is (B, in), weight is (out, in) as in PyTorch,
    /// bias is (out) or null, y is (B, out). One GEMM plus one pass for bias and activation; the backward
    /// keeps only y (the activation's derivative is computed from it).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias, Activation activation = Activation.Identity, float slope = 0.2f)
    {
        Shapes.RequireRank2(x, nameof(x));
        Shapes.RequireRank2(weight, nameof(weight));
        int batch = x.Shape[0], inFeatures = x.Shape[1], outFeatures = weight.Shape[0];
        if (weight.Shape[1] != inFeatures)
            throw new ArgumentException($"x is [{Shapes.Format(x.Shape)}] but weight is [{Shapes.Format(weight.Shape)}]: weight must be (out, {inFeatures})", nameof(weight));
        if (bias is not null && (bias.Shape.Length != 1 || bias.Shape[0] != outFeatures))
            throw new ArgumentException($"bias must have shape [{outFeatures}] to match weight [{Shapes.Format(weight.Shape)}], got [{Shapes.Format(bias.Shape)}]", nameof(bias));

        var y = Tensor.Uninitialized(batch, outFeatures);
        ProductPlusBias(x, weight, bias, y.Data);
        ActivationKernels.Forward(activation, slope, y.Data, y.Data);
        if (!Tape.ShouldRecord(x, weight, bias)) return y;
        var wants = new LinearGrads(x, weight, bias);
        Tape.Record(y, () =>
        {
            float[] dz = y.Grad!;
            if (activation != Activation.Identity)
            {
                dz = TensorArena.RentFloats(y.Length);
                ActivationKernels.Backward(activation, slope, y.Data, y.Grad!, dz);
            }
            LinearBackward(x, weight, bias, dz, wants);
        }, Tape.SecondOrder ? (dy, sink) => LinearGraphBackward(x, weight, bias, ActivationGraphBackward(activation, slope, y, dy), wants, sink) : null);
        return y;
    }

    /// <summary>
    /// z (B, out) = x·Wᵀ + b: the managed GEMM adds the bias as it stores the product, with the values a pass over z
    /// after it would give, bit for bit.
    /// </summary>
    internal static void ProductPlusBias(Tensor x, Tensor weight, Tensor? bias, Span<float> z)
    {
        int batch = x.Shape[0], inFeatures = x.Shape[1], outFeatures = weight.Shape[0];
        if (bias is null) Gemm.Multiply(false, true, batch, outFeatures, inFeatures, 1f, x.Data, inFeatures, weight.Data, inFeatures, 0f, z, outFeatures);
        else Gemm.MultiplyBias(false, true, batch, outFeatures, inFeatures, x.Data, inFeatures, weight.Data, inFeatures, bias.Data, z, outFeatures);
    }

    /// <summary>Which of a linear map's inputs wanted a gradient when the op was recorded.</summary>
    internal readonly struct LinearGrads(Tensor x, Tensor weight, Tensor? bias)
    {
        public bool X { get; } = x.RequiresGrad;
        public bool Weight { get; } = weight.RequiresGrad;
        public bool Bias { get; } = bias?.RequiresGrad ?? false;
    }

    /// <summary>
    /// Gradients of z = x·Wᵀ + b given dz (B, out): dW += dzᵀ·x, db += Σ_rows dz, dx += dz·W,
    /// each only for the tensors that wanted one when the op was recorded.
    /// </summary>
    /// <summary><see cref="LinearBackward"/> written in ops: dx = dz·W, dW = dzᵀ·x, db = Σ_rows dz.</summary>
    internal static void LinearGraphBackward(Tensor x, Tensor weight, Tensor? bias, Tensor dz, LinearGrads wants, GradientSink sink)
    {
        if (wants.X) sink.Add(x, MatMul(dz, weight));
        if (wants.Weight) sink.Add(weight, MatMul(dz, x, transposeA: true));
        if (wants.Bias) sink.Add(bias!, ChannelSum(dz));
    }

    /// <summary>
    /// target's gradient (m×n, all of it) += op(A)·op(B): stored with beta 0 when the gradient's values only count as
    /// zero (a new buffer or one marked by ZeroGrad), so neither a clearing pass nor the GEMM's read of C is paid.
    /// </summary>
    internal static void GemmIntoGrad(Tensor target, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb)
    {
        System.Diagnostics.Debug.Assert((long)m * n == target.Length);
        float[] grad = target.GradToOverwrite(out bool overwrite);
        Gemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, overwrite ? 0f : 1f, grad, n);
    }

    internal static void LinearBackward(Tensor x, Tensor weight, Tensor? bias, ReadOnlySpan<float> dz, LinearGrads wants)
    {
        int batch = x.Shape[0], inFeatures = x.Shape[1], outFeatures = weight.Shape[0];
        if (wants.Weight)
            GemmIntoGrad(weight, true, false, outFeatures, inFeatures, batch, dz, outFeatures, x.Data, inFeatures);
        if (wants.Bias)
            RowKernels.AccumulateColumnSums(dz, bias!.EnsureGrad(), batch);
        if (wants.X)
            GemmIntoGrad(x, false, false, batch, inFeatures, outFeatures, dz, outFeatures, weight.Data, inFeatures);
    }
}
