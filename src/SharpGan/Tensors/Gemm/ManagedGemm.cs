using System.Runtime.Intrinsics;

namespace SharpGan.Tensors.Gemm;

/// <summary>
/// Managed GEMM in the Goto/BLIS layout: for each KC-deep slice, op(A) is packed into MR-row slivers and
/// op(B) into NR-column slivers (zero-padded, so the micro-kernel never branches on edges inside its loop),
/// then tiles of C are computed in parallel by a register-blocked FMA micro-kernel (6×32 on Vector512,
/// 6×16 on Vector256). Every element of C is summed in the same order whatever the thread count, so results
/// are deterministic.
/// </summary>
public sealed unsafe class ManagedGemm : IGemmBackend
{
    internal const int MR = 6;
    private const int KC = 256;   // KC×NR floats of B (32 KiB at NR=32) stay in L1 while a tile sweeps its rows
    private const int MC = 96;    // MC×KC floats of A (96 KiB) stay in L2
    private static readonly int NR = Vector512.IsHardwareAccelerated ? 32 : 16;

    /// <summary>Whether the 512-bit micro-kernel is used (else 256-bit).</summary>
    public static bool Uses512 => NR == 32;

    /// <inheritdoc />
    public string Name => "managed";

    private struct Job
    {
        public float* A, B, C, PackedA, PackedB;
        public int Lda, Ldb, Ldc, M, N, P0, Kc, SliversA, SliversB, RowBlocks, SliversPerTile, TilesPerRowBlock;
        public bool TransA, TransB;
        public float Alpha, Beta;
    }

    /// <inheritdoc />
    public void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        int sliversB = (n + NR - 1) / NR;
        float[] packedB = BufferPool<float>.Shared.Rent(sliversB * NR * Math.Min(k, KC));
        try
        {
            fixed (float* pa = a, pb = b, pc = c, ppb = packedB)
                Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, ppb, prepacked: false);
        }
        finally
        {
            BufferPool<float>.Shared.Return(packedB);
        }
    }

    /// <summary>
    /// Packs op(B) (k×n) once, for many products with it: the packing a call would repeat (for a transposed B, a
    /// transpose of the whole matrix) is done here, and <see cref="Sgemm(bool, int, float, ReadOnlySpan{float}, int, PackedRight, float, Span{float}, int)"/>
    /// only packs A. The result is the same, bit for bit, as <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> with B.
    /// </summary>
    public PackedRight PackRight(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        var packed = new PackedRight(k, n, new float[(long)(n + NR - 1) / NR * NR * k]);
        if (k == 0 || n == 0) return packed;
        fixed (float* pb = b, dst = packed.Data)
        {
            var job = new Job { B = pb, Ldb = ldb, N = n, TransB = transB, SliversB = (n + NR - 1) / NR };
            for (int p0 = 0; p0 < k; p0 += KC)
            {
                job.P0 = p0;
                job.Kc = Math.Min(KC, k - p0);
                job.PackedB = dst + (long)p0 * job.SliversB * NR; // slices are laid end to end: sliver s of a slice at s·NR·kc
                if (Engine.Threads > 1 && (long)n * k >= 65_536) WorkerPool.For(job.SliversB, &PackSliver, (nint)(&job));
                else for (int s = 0; s < job.SliversB; s++) PackSliver(s, (nint)(&job));
            }
        }
        return packed;
    }

    /// <summary>C = alpha·op(A)·B + beta·C with B packed by <see cref="PackRight"/> (m×k times k×n).</summary>
    public void Sgemm(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, PackedRight b, float beta, Span<float> c, int ldc)
    {
        int n = b.Columns, k = b.Rows;
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        fixed (float* pa = a, pc = c, ppb = b.Data)
            Run(transA, false, m, n, k, alpha, pa, lda, null, 0, beta, pc, ldc, ppb, prepacked: true);
    }

    // The blocked product. packedB is one slice's buffer (packed here, per slice), or with prepacked every slice of B,
    // laid end to end as PackRight writes them.
    private static void Run(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc, float* packedB, bool prepacked)
    {
        int sliversA = (m + MR - 1) / MR, sliversB = (n + NR - 1) / NR;
        float[] packedA = BufferPool<float>.Shared.Rent(sliversA * MR * Math.Min(k, KC));
        try
        {
            fixed (float* ppa = packedA)
            {
                var job = new Job
                {
                    A = a, B = b, C = c, PackedA = ppa, PackedB = packedB, Lda = lda, Ldb = ldb, Ldc = ldc,
                    M = m, N = n, TransA = transA, TransB = transB, Alpha = alpha,
                    SliversA = sliversA, SliversB = sliversB, RowBlocks = (m + MC - 1) / MC,
                };
                // Enough tiles that both cores stay busy, but each tile wide enough to amortise its A block.
                int threads = Engine.Threads;
                int wantedTiles = threads == 1 ? 1 : threads * 4;
                job.TilesPerRowBlock = Math.Clamp((wantedTiles + job.RowBlocks - 1) / job.RowBlocks, 1, sliversB);
                job.SliversPerTile = (sliversB + job.TilesPerRowBlock - 1) / job.TilesPerRowBlock;
                job.TilesPerRowBlock = (sliversB + job.SliversPerTile - 1) / job.SliversPerTile;
                bool parallel = (long)m * n * k >= 32_768 && threads > 1;
                int packs = prepacked ? sliversA : sliversA + sliversB;
                for (int p0 = 0; p0 < k; p0 += KC)
                {
                    job.P0 = p0;
                    job.Kc = Math.Min(KC, k - p0);
                    job.Beta = p0 == 0 ? beta : 1f;  // later K slices accumulate onto the first
                    if (prepacked) job.PackedB = packedB + (long)p0 * sliversB * NR;
                    int tiles = job.RowBlocks * job.TilesPerRowBlock;
                    if (parallel)
                    {
                        WorkerPool.For(packs, &PackSliver, (nint)(&job));
                        WorkerPool.For(tiles, &ComputeTile, (nint)(&job));
                    }
                    else
                    {
                        for (int s = 0; s < packs; s++) PackSliver(s, (nint)(&job));
                        for (int t = 0; t < tiles; t++) ComputeTile(t, (nint)(&job));
                    }
                }
            }
        }
        finally
        {
            BufferPool<float>.Shared.Return(packedA);
        }
    }

    private static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else if (beta != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    // Slivers are kc deep and laid end to end (sliver s at s·MR·kc or s·NR·kc). Sliver s < SliversA packs rows [s·MR, s·MR+MR) of op(A)[:, P0:P0+Kc] as dst[p·MR + r];
    // the rest pack columns of op(B)[P0:P0+Kc, :] as dst[p·NR + j]. Padding is zero.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PackSliver(int s, nint state)
    {
        ref Job job = ref *(Job*)state;
        int kc = job.Kc, p0 = job.P0;
        if (s < job.SliversA)
        {
            int i0 = s * MR, rows = Math.Min(MR, job.M - i0);
            float* dst = job.PackedA + (long)s * MR * kc;
            if (job.TransA)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* src = job.A + (long)(p0 + p) * job.Lda + i0;
                    int r = 0;
                    for (; r < rows; r++) dst[p * MR + r] = src[r];
                    for (; r < MR; r++) dst[p * MR + r] = 0;
                }
            }
            else
            {
                for (int r = 0; r < MR; r++)
                {
                    if (r < rows)
                    {
                        float* src = job.A + (long)(i0 + r) * job.Lda + p0;
                        for (int p = 0; p < kc; p++) dst[p * MR + r] = src[p];
                    }
                    else
                    {
                        for (int p = 0; p < kc; p++) dst[p * MR + r] = 0;
                    }
                }
            }
            return;
        }
        s -= job.SliversA;
        int nr = NR, j0 = s * nr, cols = Math.Min(nr, job.N - j0);
        float* bdst = job.PackedB + (long)s * nr * kc;
        if (job.TransB)
        {
            TransposePack.Pack(job.B + (long)j0 * job.Ldb + p0, job.Ldb, bdst, kc, nr, cols);
        }
        else
        {
            for (int p = 0; p < kc; p++)
            {
                var src = new ReadOnlySpan<float>(job.B + (long)(p0 + p) * job.Ldb + j0, cols);
                var dst = new Span<float>(bdst + p * nr, nr);
                src.CopyTo(dst);
                dst[cols..].Clear();
            }
        }
    }

    // Tile t covers row block t / TilesPerRowBlock (MC rows) and a run of SliversPerTile B slivers.
    // Column slivers outside, row slivers inside: one B sliver stays in L1 while the A block streams from L2.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTile(int t, nint state)
    {
        ref Job job = ref *(Job*)state;
        int rowBlock = t / job.TilesPerRowBlock, colTile = t % job.TilesPerRowBlock;
        int iStart = rowBlock * MC, iEnd = Math.Min(job.M, iStart + MC);
        int sStart = colTile * job.SliversPerTile, sEnd = Math.Min(job.SliversB, sStart + job.SliversPerTile);
        int nr = NR;
        for (int s = sStart; s < sEnd; s++)
        {
            int j0 = s * nr, cols = Math.Min(nr, job.N - j0);
            float* bp = job.PackedB + (long)s * nr * job.Kc;
            for (int i0 = iStart; i0 < iEnd; i0 += MR)
            {
                int rows = Math.Min(MR, job.M - i0);
                float* ap = job.PackedA + (long)(i0 / MR) * MR * job.Kc;
                float* c = job.C + (long)i0 * job.Ldc + j0;
                if (nr == 32) MicroKernels.Kernel6x32(job.Kc, ap, bp, c, job.Ldc, job.Alpha, job.Beta, rows, cols);
                else MicroKernels.Kernel6x16(job.Kc, ap, bp, c, job.Ldc, job.Alpha, job.Beta, rows, cols);
            }
        }
    }
}

/// <summary>
/// A right-hand matrix op(B) (k×n) packed once by <see cref="ManagedGemm.PackRight"/> for many products: Parzen's and the
/// metrics' sample sets against blocks of test images. Immutable; the source matrix can change after packing.
/// </summary>
public sealed class PackedRight
{
    internal PackedRight(int rows, int columns, float[] data) => (Rows, Columns, Data) = (rows, columns, data);

    /// <summary>k: rows of op(B).</summary>
    public int Rows { get; }

    /// <summary>n: columns of op(B).</summary>
    public int Columns { get; }

    internal float[] Data { get; }
}
