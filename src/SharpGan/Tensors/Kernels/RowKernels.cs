using System.Numerics.Tensors;

namespace SharpGan.Tensors.Kernels;

/// <summary>Row-broadcast kernels for (rows, cols) matrices stored row-major.</summary>
internal static class RowKernels
{
    /// <summary>x[r, :] += bias for every row. x is (rows, cols), bias is (cols).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void AddBias(Span<float> x, ReadOnlySpan<float> bias, int rows)
    {
        int cols = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * cols, cols);
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
}
