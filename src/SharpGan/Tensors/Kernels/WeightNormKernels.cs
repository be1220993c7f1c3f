using System.Buffers;
using System.Numerics.Tensors;

namespace SharpGan.Tensors.Kernels;

/// <summary>
/// Weight normalisation's row passes, rows on all threads (each row is independent, so the result is the same bit for
/// bit at any thread count). v and w are (rows, columns) row-major; g and norms are (rows).
/// </summary>
internal static unsafe class WeightNormKernels
{
    /// <summary>norms_i = max(‖v_i‖, 1e-12); w_i = (g_i / norms_i) · v_i.</summary>
    public static void Forward(ReadOnlySpan<float> v, ReadOnlySpan<float> g, Span<float> norms, Span<float> w, int rows, int columns)
    {
        Check(v, g, norms, w, rows, columns);
        fixed (float* pv = v, pg = g, pn = norms, pw = w)
        {
            var pass = new Pass { V = pv, G = pg, Norms = pn, W = pw, Columns = columns };
            ParallelRanges.Rows(rows, columns, &ForwardRows, (nint)(&pass));
        }
    }

    /// <summary>
    /// dg_i += (dw_i · v_i) / n_i (when dg is not empty) and dv_i += (g_i / n_i)(dw_i − (dw_i · v_i) / n_i² · v_i) (when dv
    /// is not empty; stored rather than added when <paramref name="overwriteV"/>), with n_i = norms_i; the second is formed
    /// as two passes over a row-sized scratch, rounding as the formula reads.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> v, ReadOnlySpan<float> g, ReadOnlySpan<float> norms, ReadOnlySpan<float> dw,
        Span<float> dg, Span<float> dv, int rows, int columns, bool overwriteV = false)
    {
        Check(v, g, norms, dw, rows, columns);
        if ((!dg.IsEmpty && dg.Length < rows) || (!dv.IsEmpty && dv.Length < v.Length)) throw new ArgumentException("gradient buffers shorter than their tensors");
        fixed (float* pv = v, pg = g, pn = norms, pdw = dw, pdg = dg, pdv = dv)
        {
            var pass = new Pass
            {
                V = pv, G = pg, Norms = pn, W = pdw, GradG = dg.IsEmpty ? null : pdg, GradV = dv.IsEmpty ? null : pdv, Columns = columns,
                OverwriteV = overwriteV,
            };
            ParallelRanges.Rows(rows, columns, &BackwardRows, (nint)(&pass));
        }
    }

    private static void Check(ReadOnlySpan<float> v, ReadOnlySpan<float> g, ReadOnlySpan<float> norms, ReadOnlySpan<float> w, int rows, int columns)
    {
        if (v.Length < (long)rows * columns || w.Length < (long)rows * columns || g.Length < rows || norms.Length < rows)
            throw new ArgumentException($"buffers shorter than {rows} rows of {columns}");
    }

    private struct Pass
    {
        public float* V, G, Norms, W, GradG, GradV;
        public int Columns;
        public bool OverwriteV;
    }

    private static void ForwardRows(int first, int end, nint state)
    {
        var p = (Pass*)state;
        int c = p->Columns;
        for (int i = first; i < end; i++)
        {
            var vi = new ReadOnlySpan<float>(p->V + (long)i * c, c);
            float norm = MathF.Max(TensorPrimitives.Norm(vi), 1e-12f);
            p->Norms[i] = norm;
            TensorPrimitives.Multiply(vi, p->G[i] / norm, new Span<float>(p->W + (long)i * c, c));
        }
    }

    private static void BackwardRows(int first, int end, nint state)
    {
        var p = (Pass*)state;
        int c = p->Columns;
        float[]? rented = c > 4096 ? ArrayPool<float>.Shared.Rent(c) : null;
        Span<float> along = rented is null ? stackalloc float[c] : rented.AsSpan(0, c);
        for (int i = first; i < end; i++)
        {
            var vi = new ReadOnlySpan<float>(p->V + (long)i * c, c);
            var dwi = new ReadOnlySpan<float>(p->W + (long)i * c, c);
            float n = p->Norms[i], dot = TensorPrimitives.Dot(dwi, vi);
            if (p->GradG != null) p->GradG[i] += dot / n;
            if (p->GradV == null) continue;
            var dvi = new Span<float>(p->GradV + (long)i * c, c);
            // dw − (dot / n²)·v, then dv += (g / n)·that: not fused, so each step rounds as the scalar formula does.
            TensorPrimitives.MultiplyAdd(vi, -(dot / (n * n)), dwi, along);
            if (p->OverwriteV) TensorPrimitives.Multiply(along, p->G[i] / n, dvi); // the product added to zero: the same value
            else TensorPrimitives.MultiplyAdd(along, p->G[i] / n, dvi, dvi);
        }
        if (rented is not null) ArrayPool<float>.Shared.Return(rented);
    }
}
