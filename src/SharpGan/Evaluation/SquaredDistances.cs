using SharpGan.Tensors.Gemm;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SharpGan.Evaluation;

/// <summary>Pairwise squared Euclidean distances by GEMM: ‖x − s‖² = ‖x‖² + ‖s‖² − 2·x·s, clamped at 0.</summary>
internal static class SquaredDistances
{
    /// <summary>
    /// A set of n points (rows of s, d values each) that blocks of other points are measured against: sᵀ packed once
    /// for the GEMM (packing it anew for each block of 500 rows cost as much as the block's multiply-adds on small
    /// blocks) and the squared norms.
    /// </summary>
    public sealed class Reference(ReadOnlySpan<float> s, int n, int d)
    {
        /// <summary>sᵀ (d×n), packed.</summary>
        public PackedRight Transposed { get; } = Gemm.PackRight(true, d, n, s, d);

        /// <summary>‖s_j‖² for each row j.</summary>
        public float[] Norms { get; } = RowNorms(s, n, d);

        /// <summary>Points.</summary>
        public int Count => n;

        /// <summary>Values a point.</summary>
        public int Dimension => d;
    }

    /// <summary>Squared norm of each row of a (rows, d) matrix.</summary>
    public static float[] RowNorms(ReadOnlySpan<float> rows, int count, int d)
    {
        var norms = new float[count];
        for (int i = 0; i < count; i++) norms[i] = TensorPrimitives.SumOfSquares(rows.Slice(i * d, d));
        return norms;
    }

    /// <summary>
    /// dist (m, n) = squared distances between the rows of x (m, d) and the reference's n points.
    /// The clamp removes the small negatives float cancellation leaves for near-identical rows.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> x, int m, Reference s, Span<float> dist)
    {
        int n = s.Count, d = s.Dimension;
        if (x.Length < m * d || dist.Length < m * n)
            throw new ArgumentException($"buffers too small for x ({m}, {d}), dist ({m}, {n})");
        Gemm.MultiplyPacked(false, m, -2f, x, d, s.Transposed, 0f, dist, n);
        for (int i = 0; i < m; i++)
        {
            var row = dist.Slice(i * n, n);
            TensorPrimitives.Add(row, s.Norms, row);
            TensorPrimitives.Add(row, TensorPrimitives.SumOfSquares(x.Slice(i * d, d)), row);
            TensorPrimitives.Max(row, 0f, row);
        }
    }

    /// <summary>For each row of x, the index of its nearest row of s and the squared distance, processed in blocks.</summary>
    public static (int[] Index, float[] Distance) Nearest(ReadOnlySpan<float> x, int m, ReadOnlySpan<float> s, int n, int d, int blockRows = 256)
    {
        var reference = new Reference(s, n, d);
        var index = new int[m];
        var best = new float[m];
        var block = new float[Math.Min(blockRows, m) * n];
        for (int start = 0; start < m; start += blockRows)
        {
            int rows = Math.Min(blockRows, m - start);
            Compute(x.Slice(start * d, rows * d), rows, reference, block);
            for (int r = 0; r < rows; r++)
            {
                var row = block.AsSpan(r * n, n);
                int j = TensorPrimitives.IndexOfMin(row);
                (index[start + r], best[start + r]) = (j, row[j]);
            }
        }
        return (index, best);
    }
}
