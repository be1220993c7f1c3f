using System.Numerics.Tensors;

namespace SharpGan.Tensors.Kernels;

/// <summary>Row-broadcast kernels for (rows, cols) matrices stored row-major.</summary>
internal static unsafe class RowKernels
{
    /// <summary>x[r, :] += bias for every row, rows on all threads. x is (rows, cols), bias is (cols).</summary>
    public static void AddBias(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        if (x.Length < rows * bias.Length) throw new ArgumentException("x shorter than rows × bias", nameof(x));
        fixed (float* px = x, pb = bias)
        {
            var pass = new BiasPass { X = px, Bias = pb, Cols = bias.Length };
            ParallelRanges.Rows(rows, bias.Length, &AddBiasRows, (nint)(&pass));
        }
    }

    private struct BiasPass
    {
        public float* X, Bias;
        public int Cols;
    }

    private static void AddBiasRows(int first, int end, nint state)
    {
        var p = (BiasPass*)state;
        var bias = new ReadOnlySpan<float>(p->Bias, p->Cols);
        for (int r = first; r < end; r++)
        {
            var row = new Span<float>(p->X + (long)r * p->Cols, p->Cols);
            TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>sum[:] += Σ_r x[r, :] — the bias gradient. x is (rows, cols), sum is (cols).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void AccumulateColumnSums(ReadOnlySpan<float> x, Span<float> sum, int rows)
    {
        int cols = sum.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sum, x.Slice(r * cols, cols), sum);
    }

    /// <summary>y = x ⊙ mask (accumulate: y += x ⊙ mask), elementwise on all threads for large tensors; y may alias x.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> y, bool accumulate)
    {
        if (mask.Length != x.Length || y.Length != x.Length) throw new ArgumentException("x, mask and y must have one length", nameof(mask));
        fixed (float* px = x, pm = mask, py = y)
        {
            var pass = new MaskPass { X = px, Mask = pm, Y = py, Accumulate = accumulate };
            ParallelRanges.Elements(x.Length, &MultiplyPiece, (nint)(&pass));
        }
    }

    private struct MaskPass
    {
        public float* X, Mask, Y;
        public bool Accumulate;
    }

    private static void MultiplyPiece(int start, int end, nint state)
    {
        var p = (MaskPass*)state;
        int n = end - start;
        var x = new ReadOnlySpan<float>(p->X + start, n);
        var mask = new ReadOnlySpan<float>(p->Mask + start, n);
        var y = new Span<float>(p->Y + start, n);
        if (p->Accumulate) TensorPrimitives.MultiplyAdd(x, mask, y, y);
        else TensorPrimitives.Multiply(x, mask, y);
    }
}
