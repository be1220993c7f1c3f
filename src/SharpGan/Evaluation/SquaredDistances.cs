using System.Numerics;
using SharpGan.Tensors;
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
    public static unsafe void Compute(ReadOnlySpan<float> x, int m, Reference s, Span<float> dist)
    {
        Products(x, m, s, dist);
        fixed (float* px = x, pd = dist, pn = s.Norms)
        {
            var job = new FinishJob { X = px, Dist = pd, Norms = pn, Columns = s.Count, Dimension = s.Dimension };
            ParallelRanges.Rows(m, s.Count, &FinishRows, (nint)(&job));
        }
    }

    /// <summary>dist (m, n) = −2·x·sᵀ: the GEMM part of <see cref="Compute"/>, for callers that finish each row with <see cref="FinishRow(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/> in their own pass.</summary>
    public static void Products(ReadOnlySpan<float> x, int m, Reference s, Span<float> dist)
    {
        int n = s.Count, d = s.Dimension;
        if (x.Length < m * d || dist.Length < m * n)
            throw new ArgumentException($"buffers too small for x ({m}, {d}), dist ({m}, {n})");
        Gemm.MultiplyPacked(false, m, -2f, x, d, s.Transposed, 0f, dist, n);
    }

    /// <summary>
    /// Turns one row of −2·x·sᵀ (x = <paramref name="point"/>) into squared distances in place (+ ‖s_j‖² + ‖x‖², clamped
    /// at 0) and returns the row's smallest, in one pass over the row.
    /// </summary>
    public static float FinishRow(Span<float> row, ReadOnlySpan<float> norms, ReadOnlySpan<float> point) =>
        FinishRow(row, norms, TensorPrimitives.SumOfSquares(point), out _);

    /// <summary>
    /// <see cref="FinishRow(Span{float}, ReadOnlySpan{float}, ReadOnlySpan{float})"/> given ‖x‖², also telling which
    /// column holds the smallest: the same single pass, so a caller that needs the nearest row of s reads the row once.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static float FinishRow(Span<float> row, ReadOnlySpan<float> norms, float pointNorm, out int nearest)
    {
        int n = row.Length, w = Vector<float>.Count, j = 0;
        var shift = new Vector<float>(pointNorm);
        var smallest = new Vector<float>(float.PositiveInfinity);
        var where = Vector<int>.Zero;
        var index = Vector<int>.Indices;
        var step = new Vector<int>(w);
        for (; j <= n - w; j += w, index += step)
        {
            var v = Vector.Max(new Vector<float>(row[j..]) + new Vector<float>(norms[j..]) + shift, Vector<float>.Zero);
            v.CopyTo(row[j..]);
            var closer = Vector.LessThan(v, smallest);
            smallest = Vector.ConditionalSelect(closer, v, smallest);
            where = Vector.ConditionalSelect(closer, index, where);
        }
        float min = float.PositiveInfinity;
        nearest = 0;
        for (int l = 0; l < w; l++)
            if (smallest[l] < min) (min, nearest) = (smallest[l], where[l]);
        for (; j < n; j++)
        {
            row[j] = Math.Max(row[j] + norms[j] + pointNorm, 0f);
            if (row[j] < min) (min, nearest) = (row[j], j);
        }
        return min;
    }

    private unsafe struct FinishJob
    {
        public float* X, Dist, Norms;
        public int Columns, Dimension;
    }

    private static unsafe void FinishRows(int first, int end, nint state)
    {
        var job = (FinishJob*)state;
        int n = job->Columns, d = job->Dimension;
        var norms = new ReadOnlySpan<float>(job->Norms, n);
        for (int i = first; i < end; i++)
            FinishRow(new Span<float>(job->Dist + (long)i * n, n), norms, new ReadOnlySpan<float>(job->X + (long)i * d, d));
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
