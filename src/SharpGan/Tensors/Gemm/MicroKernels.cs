using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpGan.Tensors.Gemm;

/// <summary>
/// Register-blocked FMA micro-kernels: C[6×NR] = alpha·Ap·Bp + beta·C (+ bias[j] on every row, when given) over kc steps, where
/// Ap is six rows of op(A) over kc steps (packed, ap[p·6 + r], or read where they lie in A: <see cref="IPanelA"/>) and bp is
/// kc×NR (packed, bp[p·NR + j]). Twelve vector accumulators
/// live in registers for the whole loop. Edge tiles (rows &lt; 6 or cols &lt; NR) go through a stack tile.
/// </summary>
internal static unsafe class MicroKernels
{
    /// <summary>The packed 6-row sliver (ap[p·6 + r]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x32(int kc, float* ap, float* bp, float* c, int ldc, float alpha, float beta, int rows, int cols, float* bias = null) =>
        Kernel6x32<PackedA>(kc, ap, 0, bp, c, ldc, alpha, beta, rows, cols, bias);

    /// <summary>
    /// C[6×32] from six rows of op(A) read where they lie (<typeparamref name="TA"/> says how: packed, rows of A, or
    /// columns of a transposed A, lda apart) and a packed B sliver.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x32<TA>(int kc, float* ap, nint lda, float* bp, float* c, int ldc, float alpha, float beta, int rows, int cols,
        float* bias = null) where TA : struct, IPanelA
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        // Four k steps a trip: the loop's own counter, compare and pointer updates are a sixth of the instructions at one
        // step a trip, and the front end (4–5 instructions a cycle) is what limits a 12-FMA step. Each accumulator still
        // sums its k terms in order, so the results are those of one step a trip.
        int p = 0;
        for (; p + 4 <= kc; p += 4, ap = TA.Advance(ap, lda, 4), bp += 128)
        {
            Step6x32<TA>(ap, lda, bp, 0, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step6x32<TA>(ap, lda, bp, 1, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step6x32<TA>(ap, lda, bp, 2, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
            Step6x32<TA>(ap, lda, bp, 3, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        }
        for (; p < kc; p++, ap = TA.Advance(ap, lda, 1), bp += 32)
            Step6x32<TA>(ap, lda, bp, 0, ref c00, ref c01, ref c10, ref c11, ref c20, ref c21, ref c30, ref c31, ref c40, ref c41, ref c50, ref c51);
        if (rows == 6 && cols == 32)
        {
            Store512(c, c00, c01, alpha, beta, bias); Store512(c + ldc, c10, c11, alpha, beta, bias);
            Store512(c + 2 * ldc, c20, c21, alpha, beta, bias); Store512(c + 3 * ldc, c30, c31, alpha, beta, bias);
            Store512(c + 4 * ldc, c40, c41, alpha, beta, bias); Store512(c + 5 * ldc, c50, c51, alpha, beta, bias);
            return;
        }
        float* tile = stackalloc float[6 * 32];
        c00.Store(tile); c01.Store(tile + 16); c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80); c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144); c50.Store(tile + 160); c51.Store(tile + 176);
        StoreEdge(tile, 32, c, ldc, alpha, beta, rows, cols, bias);
    }

    /// <summary>
    /// The 6×32 kernel's edge at 16 columns or fewer (784 and 240 columns leave 16, 100 leave 4): the left half of each
    /// packed 32-wide B row, six accumulators, half the FMAs of running the full tile for a half-empty sliver.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x16Of32<TA>(int kc, float* ap, nint lda, float* bp, float* c, int ldc, float alpha, float beta, int rows, int cols,
        float* bias = null) where TA : struct, IPanelA
    {
        Vector512<float> c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default;
        for (int p = 0; p < kc; p++, ap = TA.Advance(ap, lda, 1), bp += 32)
        {
            var b0 = Vector512.Load(bp);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(TA.At(ap, lda, 0, 0)), b0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(TA.At(ap, lda, 1, 0)), b0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(TA.At(ap, lda, 2, 0)), b0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(TA.At(ap, lda, 3, 0)), b0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(TA.At(ap, lda, 4, 0)), b0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(TA.At(ap, lda, 5, 0)), b0, c5);
        }
        float* tile = stackalloc float[6 * 16];
        c0.Store(tile); c1.Store(tile + 16); c2.Store(tile + 32); c3.Store(tile + 48); c4.Store(tile + 64); c5.Store(tile + 80);
        StoreEdge(tile, 16, c, ldc, alpha, beta, rows, cols, bias);
    }

    // k step q of the 6×32 tile at (ap, bp): C[r, 0:32] += op(A)[r, q]·bp[32q : 32q + 32] for r < 6 (q a constant, so
    // the offsets fold into the instructions' addresses).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step6x32<TA>(float* ap, nint lda, float* bp, int q, ref Vector512<float> c00, ref Vector512<float> c01, ref Vector512<float> c10,
        ref Vector512<float> c11, ref Vector512<float> c20, ref Vector512<float> c21, ref Vector512<float> c30, ref Vector512<float> c31,
        ref Vector512<float> c40, ref Vector512<float> c41, ref Vector512<float> c50, ref Vector512<float> c51) where TA : struct, IPanelA
    {
        var b0 = Vector512.Load(bp + 32 * q);
        var b1 = Vector512.Load(bp + 32 * q + 16);
        var a = Vector512.Create(TA.At(ap, lda, 0, q)); c00 = Vector512.FusedMultiplyAdd(a, b0, c00); c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
        a = Vector512.Create(TA.At(ap, lda, 1, q)); c10 = Vector512.FusedMultiplyAdd(a, b0, c10); c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
        a = Vector512.Create(TA.At(ap, lda, 2, q)); c20 = Vector512.FusedMultiplyAdd(a, b0, c20); c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
        a = Vector512.Create(TA.At(ap, lda, 3, q)); c30 = Vector512.FusedMultiplyAdd(a, b0, c30); c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
        a = Vector512.Create(TA.At(ap, lda, 4, q)); c40 = Vector512.FusedMultiplyAdd(a, b0, c40); c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
        a = Vector512.Create(TA.At(ap, lda, 5, q)); c50 = Vector512.FusedMultiplyAdd(a, b0, c50); c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store512(float* c, Vector512<float> lo, Vector512<float> hi, float alpha, float beta, float* bias)
    {
        var va = Vector512.Create(alpha);
        lo *= va; hi *= va;
        if (beta != 0)
        {
            var vb = Vector512.Create(beta);
            lo = Vector512.FusedMultiplyAdd(Vector512.Load(c), vb, lo);
            hi = Vector512.FusedMultiplyAdd(Vector512.Load(c + 16), vb, hi);
        }
        if (bias is not null)
        {
            lo += Vector512.Load(bias);
            hi += Vector512.Load(bias + 16);
        }
        lo.Store(c);
        hi.Store(c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Kernel6x16(int kc, float* ap, float* bp, float* c, int ldc, float alpha, float beta, int rows, int cols, float* bias = null)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(bp);
            var b1 = Vector256.Load(bp + 8);
            var a = Vector256.Create(ap[0]); c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
            a = Vector256.Create(ap[1]); c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
            a = Vector256.Create(ap[2]); c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
            a = Vector256.Create(ap[3]); c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
            a = Vector256.Create(ap[4]); c40 = Vector256.FusedMultiplyAdd(a, b0, c40); c41 = Vector256.FusedMultiplyAdd(a, b1, c41);
            a = Vector256.Create(ap[5]); c50 = Vector256.FusedMultiplyAdd(a, b0, c50); c51 = Vector256.FusedMultiplyAdd(a, b1, c51);
            ap += 6;
            bp += 16;
        }
        float* tile = stackalloc float[6 * 16];
        c00.Store(tile); c01.Store(tile + 8); c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40); c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72); c50.Store(tile + 80); c51.Store(tile + 88);
        StoreEdge(tile, 16, c, ldc, alpha, beta, rows, cols, bias);
    }

    // C[r, j] = alpha·tile[r, j] + beta·C[r, j] for the valid part of an edge tile (beta 0: C is not read). Whole
    // 16-column runs go by vector (the paper's batch of 100 leaves a 4-row tile under every column sliver, and 784 or 240
    // columns a 16-column one), the rest one by one. Both round as Store512 does (beta·C fused into the add), so an
    // element gets the same bits in a full tile or an edge, whatever the tiling (a product run transposed relies on it).
    private static void StoreEdge(float* tile, int tileCols, float* c, int ldc, float alpha, float beta, int rows, int cols, float* bias)
    {
        int vectorCols = Vector512.IsHardwareAccelerated ? cols / 16 * 16 : 0;
        var va = Vector512.Create(alpha);
        var vb = Vector512.Create(beta);
        for (int r = 0; r < rows; r++)
        {
            float* crow = c + (long)r * ldc;
            float* trow = tile + r * tileCols;
            for (int j = 0; j < vectorCols; j += 16)
            {
                var v = Vector512.Load(trow + j) * va;
                if (beta != 0) v = Vector512.FusedMultiplyAdd(Vector512.Load(crow + j), vb, v);
                if (bias is not null) v += Vector512.Load(bias + j);
                v.Store(crow + j);
            }
            if (beta == 0) for (int j = vectorCols; j < cols; j++) crow[j] = alpha * trow[j];
            else for (int j = vectorCols; j < cols; j++) crow[j] = MathF.FusedMultiplyAdd(crow[j], beta, alpha * trow[j]);
            if (bias is not null) for (int j = vectorCols; j < cols; j++) crow[j] += bias[j];
        }
    }
}

/// <summary>
/// Where a micro-kernel finds op(A)[r, q], row r &lt; 6 of its sliver and k step q, from the sliver's first element a:
/// packed, or read straight from A (no copy: op(A) is used a few times per product only when n is small, and streamed
/// from where it lies it costs no pass of its own).
/// </summary>
internal unsafe interface IPanelA
{
    static abstract float At(float* a, nint lda, int r, int q);

    /// <summary>The sliver's first element <paramref name="steps"/> k steps on.</summary>
    static abstract float* Advance(float* a, nint lda, int steps);
}

/// <summary>A packed 6-row sliver: a[q·6 + r].</summary>
internal readonly unsafe struct PackedA : IPanelA
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float At(float* a, nint lda, int r, int q) => a[6 * q + r];
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float* Advance(float* a, nint lda, int steps) => a + 6 * steps;
}

/// <summary>Six rows of A as it lies (op(A) = A, row-major): a[r·lda + q].</summary>
internal readonly unsafe struct RowsOfA : IPanelA
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float At(float* a, nint lda, int r, int q) => a[r * lda + q];
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float* Advance(float* a, nint lda, int steps) => a + steps;
}

/// <summary>Six columns of a transposed A (op(A) = Aᵀ, A k×m row-major): a[q·lda + r].</summary>
internal readonly unsafe struct ColumnsOfA : IPanelA
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float At(float* a, nint lda, int r, int q) => a[q * lda + r];
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float* Advance(float* a, nint lda, int steps) => a + steps * lda;
}
