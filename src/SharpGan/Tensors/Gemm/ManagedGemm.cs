using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGan.Tensors.Gemm;

/// <summary>
/// Managed GEMM in the Goto/BLIS layout. C is cut into tiles (column ranges of NR-wide slivers, and row ranges when C
/// has too few columns to keep every thread busy); each tile, on one thread, walks the KC-deep slices of k: it packs
/// its columns of op(B) into NR-column slivers (zero-padded, so the micro-kernel never branches on edges inside its
/// loop) and, MC rows at a time, runs a register-blocked FMA micro-kernel (6×32 on Vector512, 6×16 on Vector256) over
/// each 6-row sliver of op(A), read where it lies in A (only a ragged last sliver, and a transposed A whose rows alias
/// in L1, are packed; when several column tiles would each pack the same A, a small A is packed once before them and
/// shared). Some shapes run as their transpose (RunsBetterTransposed). One fork-join per product: tiles never wait for
/// each other between slices. Every element of C is summed in the same order whatever the tiling, the thread count or
/// where A is read from, so results are deterministic.
/// </summary>
public sealed unsafe class ManagedGemm : IGemmBackend
{
    internal const int MR = 6;
    // KC×NR floats of B (32 KiB at NR=32) stay near L1 while a tile sweeps its rows. 128 (16 KiB) looked faster on lone
    // products but made the paper MLP's iteration 0.4 ms slower, 192 0.3 ms (iterations alternated in one process).
    private const int KC = 256;
    private const int MC = 120;   // MC×KC floats of A (120 KiB) stay in L2 while the tile's B slivers pass
    private static readonly int NR = Vector512.IsHardwareAccelerated ? 32 : 16;

    /// <summary>Whether the 512-bit micro-kernel is used (else 256-bit).</summary>
    public static bool Uses512 => NR == 32;

    /// <inheritdoc />
    public string Name => "managed";

    // Each thread's packing buffers, pinned and grown as needed (tiles run on the caller and the pool's workers).
    [ThreadStatic] private static float[]? _packA, _packB;
    // The calling thread's buffer for an A packed once for every column tile (workers only read it, during the call).
    [ThreadStatic] private static float[]? _sharedA;
    // The calling thread's Cᵀ for a product run transposed (RunsBetterTransposed).
    [ThreadStatic] private static float[]? _transposedC;

    // A is packed once for all column tiles when it is at most this many floats (16 MiB): beyond, the tiles' own
    // L2-sized packs serve better than one big buffer streamed from memory. Sampling the paper's G 2 048 rows at once
    // has A of 2.4 M floats (2 048 × 1 200), packed by each of 8 column tiles below this limit's earlier 1 M.
    private const long SharedALimit = 1 << 22;

    private struct Job
    {
        public float* A, B, C, PrepackedB, PrepackedA, Bias;
        public int Lda, Ldb, Ldc, M, N, K, SliversB, ColTiles, SliversPerTile, RowBlocksPerTile, RowTiles, RowBlocks;
        public int GuidedThreads; // > 0: column tiles of decreasing width (GuidedTile) for this many threads
        public long SliceStrideA;
        public bool TransA, TransB;
        public bool DirectA; // the kernels read op(A) where it lies, not packed (DirectReadsOfA)
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
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (RunsBetterTransposed(transA, transB, m, n, k)) RunTransposed(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, bias: null);
            else Run(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, prepackedB: null);
        }
    }

    // Some products run faster as their transpose, Cᵀ = op(B)ᵀ·op(A)ᵀ, where op(A)ᵀ is the operand packed and the A read
    // in place is op(B)ᵀ:
    // - A long product into a C of one narrow column sliver whose rows make one row block (a convolution's weight gradient
    //   with one input channel, 64×16 over k = 12 544) has one tile, so it ran on one thread; its transpose has m
    //   columns to share out (315 against 418 µs).
    // - A long product with a transposed B much wider than A (DCGAN's discriminator weight gradients, 128 × 3 136 times
    //   1 024 × 3 136ᵀ and 256 × 3 136 times 2 048 × 3 136ᵀ): as it is, it packs all of op(B), k·n values gathered across
    //   the rows of B; transposed, it packs op(A)ᵀ, k·m values, and copies C's m·n (4.0 against 4.5 ms and 16.3 against
    //   18.1 ms alone; DCGAN-28's iteration 1.5–2.5 ms faster). Only where m fills the kernel's columns as well as n does:
    //   the paper G's forward products (m = 100, so 4 of the last 32 columns) lost 2 % of the MLP's iteration transposed.
    private static bool RunsBetterTransposed(bool transA, bool transB, int m, int n, int k) =>
        TransposedRuns && (
            (n <= 16 && m >= 32 && m <= MC && k >= 1024 && Engine.Threads > 1) ||
            (transB && n >= 4 * m && k >= 1024 && ColumnsUsed(m) >= ColumnsUsed(n)));

    // The share of the kernel's columns that n columns use: whole 32-column slivers, and a last one run by the 16-wide
    // kernel when 16 or fewer are left.
    private static double ColumnsUsed(int n)
    {
        int left = n % NR, computed = n - left + (left == 0 ? 0 : left <= 16 ? 16 : NR);
        return (double)n / computed;
    }

    /// <summary>Tests turn transposed runs off to compare them with the product run as it is.</summary>
    internal static bool TransposedRuns = true;

    private struct Copy
    {
        public float* C, Ct, Bias;
        public int Ldc, M, N;
    }

    // Cᵀ = op(B)ᵀ·op(A)ᵀ on a transposed copy of C, then copied back (plus the bias, which the product would have added
    // last as it stored each element: t + bias either way): every element is the same sum of the same products (a·b = b·a
    // in floating point), scaled by alpha and beta in the same order, so the result is the same bit for bit.
    private static void RunTransposed(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc, float* bias)
    {
        var copy = new Copy { C = c, Ct = Buffer(ref _transposedC, (long)m * n), Bias = bias, Ldc = ldc, M = m, N = n };
        if (beta != 0) ParallelRanges.Rows(m, n, &CopyRowsToTransposed, (nint)(&copy));
        Run(!transB, !transA, n, m, k, alpha, b, ldb, a, lda, beta, copy.Ct, m, prepackedB: null);
        ParallelRanges.Rows(m, n, &CopyRowsBack, (nint)(&copy));
    }

    // Rows [first, end) of C into columns of Cᵀ (n×m).
    private static void CopyRowsToTransposed(int first, int end, nint state)
    {
        var p = (Copy*)state;
        TransposePack.Matrix(p->C + (long)first * p->Ldc, p->Ldc, end - first, p->N, p->Ct + first, p->M);
    }

    // Columns [first, end) of Cᵀ into rows of C, each row then plus the bias.
    private static void CopyRowsBack(int first, int end, nint state)
    {
        var p = (Copy*)state;
        TransposePack.Matrix(p->Ct + first, p->M, p->N, end - first, p->C + (long)first * p->Ldc, p->Ldc);
        if (p->Bias is null) return;
        var bias = new ReadOnlySpan<float>(p->Bias, p->N);
        for (int i = first; i < end; i++)
        {
            var row = new Span<float>(p->C + (long)i * p->Ldc, p->N);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
    }

    /// <summary>
    /// Packs op(B) (k×n) once, for many products with it: the packing a call would repeat (for a transposed B, a
    /// transpose of the whole matrix) is done here, and <see cref="Sgemm(bool, int, float, ReadOnlySpan{float}, int, PackedRight, float, Span{float}, int)"/>
    /// only packs A. The result is the same, bit for bit, as <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> with B.
    /// </summary>
    public PackedRight PackRight(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        int slivers = (n + NR - 1) / NR;
        var packed = new PackedRight(k, n, new float[(long)slivers * NR * k]);
        if (k == 0 || n == 0) return packed;
        fixed (float* pb = b, dst = packed.Data)
        {
            var job = new Job { B = pb, Ldb = ldb, N = n, K = k, TransB = transB, PrepackedB = dst, SliversB = slivers };
            int groups = (slivers + PackGroup - 1) / PackGroup;
            if (Engine.Threads > 1 && (long)k * n >= 65_536) WorkerPool.For(groups, &PackRightGroup, (nint)(&job));
            else for (int g = 0; g < groups; g++) PackRightGroup(g, (nint)(&job));
        }
        return packed;
    }

    private const int PackGroup = 2; // slivers a work item of PackRight: 19 items for 1 200 columns

    // Slivers [g·PackGroup, …) of PackRight's B through every k slice, into the slices laid end to end (sliver s of the
    // slice at p0 lies at p0·SliversB·NR + s·NR·kc): one item reads its rows of a transposed B from start to end.
    private static void PackRightGroup(int g, nint state)
    {
        ref Job job = ref *(Job*)state;
        int sStart = g * PackGroup, sEnd = Math.Min(job.SliversB, sStart + PackGroup);
        for (int p0 = 0; p0 < job.K; p0 += KC)
        {
            int kc = Math.Min(KC, job.K - p0);
            PackB(ref job, sStart, sEnd, p0, kc, job.PrepackedB + (long)p0 * job.SliversB * NR + (long)sStart * NR * kc);
        }
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
            Run(transA, false, m, n, k, alpha, pa, lda, null, 0, beta, pc, ldc, ppb);
    }

    /// <summary>
    /// C = op(A)·op(B) + bias, the bias added to every row as the product's last store writes it: the values a pass over
    /// C after the product gives, bit for bit, without that pass.
    /// </summary>
    public void SgemmBias(bool transA, bool transB, int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        ReadOnlySpan<float> bias, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            for (int i = 0; i < m; i++) bias[..n].CopyTo(c.Slice(i * ldc, n));
            return;
        }
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            if (RunsBetterTransposed(transA, transB, m, n, k)) RunTransposed(transA, transB, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, ldc, pbias);
            else Run(transA, transB, m, n, k, 1f, pa, lda, pb, ldb, 0f, pc, ldc, prepackedB: null, pbias);
        }
    }

    private static void Run(bool transA, bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc, float* prepackedB, float* bias = null)
    {
        var job = new Job
        {
            A = a, B = b, C = c, PrepackedB = prepackedB, Bias = bias, Lda = lda, Ldb = ldb, Ldc = ldc, M = m, N = n, K = k,
            TransA = transA, TransB = transB, Alpha = alpha, Beta = beta, SliversB = (n + NR - 1) / NR,
        };
        // Tiles: enough that both cores stay busy (4 a thread, claimed dynamically), cut along the columns first, so each
        // tile packs B's slivers once for all its rows; rows are cut only when there are too few column slivers.
        int threads = Engine.Threads, rowBlocks = (m + MC - 1) / MC;
        bool parallel = threads > 1 && (long)m * n * k >= 32_768;
        int wanted = parallel ? threads * 4 : 1;
        job.SliversPerTile = (job.SliversB + Math.Min(wanted, job.SliversB) - 1) / Math.Min(wanted, job.SliversB);
        job.ColTiles = (job.SliversB + job.SliversPerTile - 1) / job.SliversPerTile;
        int rowTiles = Math.Clamp((wanted + job.ColTiles - 1) / job.ColTiles, 1, rowBlocks);
        job.RowBlocksPerTile = (rowBlocks + rowTiles - 1) / rowTiles;
        job.RowTiles = (rowBlocks + job.RowBlocksPerTile - 1) / job.RowBlocksPerTile;
        // With columns to spare, the column tiles narrow as they go (GuidedWidth), so the thread that claims the last one
        // finishes soon after the other: with equal tiles a thread waited half a tile at the end of a product on average,
        // 1–2 ms of DCGAN-28's 20 ms products (its iteration 2–4 % faster, iterations alternated in one process; the
        // paper MLP's unchanged).
        if (parallel && job.RowTiles == 1 && job.ColTiles >= wanted)
        {
            job.GuidedThreads = threads;
            job.ColTiles = GuidedTiles(job.SliversB, threads);
        }
        int tiles = job.ColTiles * job.RowTiles;
        // Every column tile would pack the same rows of A for itself (8 tiles at 2 threads: A packed 8 times, ≈ 2 ms of
        // the paper MLP's iteration); packed once here, in parallel, the tiles share it. Pure data movement: the products
        // are the same bit for bit.
        int slices = (k + KC - 1) / KC;
        job.DirectA = DirectReadsOfA && NR == 32 && !(transA && job.SliversB >= 8 && lda % 256 == 0);
        job.RowBlocks = rowBlocks;
        job.SliceStrideA = (long)rowBlocks * (MC * KC + 8); // each block's region + 8: PackA's last store runs 2 past its end
        if (!job.DirectA && parallel && job.ColTiles > 1 && slices * job.SliceStrideA <= SharedALimit)
        {
            job.PrepackedA = Buffer(ref _sharedA, slices * job.SliceStrideA);
            WorkerPool.For(slices * rowBlocks, &PackABlock, (nint)(&job));
        }
        if (parallel && tiles > 1) WorkerPool.For(tiles, &ComputeTile, (nint)(&job));
        else for (int t = 0; t < tiles; t++) ComputeTile(t, (nint)(&job));
    }

    // The kernels read op(A) where it lies: a product packs B, which every row sliver reuses, but not A, which is read
    // once per column sliver, so packing it was a pass of its own over A (the 1 200 × 100 × 100 weight gradient: 155 →
    // 188 GFLOP/s; the products with 240 columns 6–8 % faster; large ones the same). Except a transposed A whose rows lie
    // a multiple of 1 KiB apart under many column slivers: the k steps of a sliver then fall in a few L1 sets and evict B
    // (DCGAN's 2 048 × 3 136 × 256 weight gradient: packed 4–5 % faster).
    /// <summary>Whether the kernels may read op(A) where it lies instead of packing it (tests and benchmarks compare both).</summary>
    internal static bool DirectReadsOfA = true;

    private const int MaxGuidedSlivers = 16; // a tile's B panel for one k slice: 16 slivers of 32 KiB, half an L2

    // Column tiles of decreasing width: each a 1/(2·threads) share of the slivers left (at most 16, at least 1). Which
    // tile computes a column does not change its sums, so the result is the same as with any other tiling.
    private static int GuidedTiles(int slivers, int threads)
    {
        int tiles = 0;
        for (int left = slivers; left > 0; tiles++) left -= GuidedWidth(left, threads);
        return tiles;
    }

    private static int GuidedWidth(int left, int threads) => Math.Clamp((left + 2 * threads - 1) / (2 * threads), 1, MaxGuidedSlivers);

    private static (int Start, int End) GuidedTile(int slivers, int threads, int tile)
    {
        int start = 0;
        for (int i = 0; i < tile; i++) start += GuidedWidth(slivers - start, threads);
        return (start, start + GuidedWidth(slivers - start, threads));
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

    private static float* Buffer(ref float[]? buffer, long length)
    {
        if (buffer is null || buffer.Length < length) buffer = GC.AllocateUninitializedArray<float>((int)length, pinned: true);
        return (float*)Unsafe.AsPointer(ref buffer[0]);
    }

    // Where row block `block` (MC rows) of k slice `slice` lies in the shared packed A.
    private static float* SharedABlock(ref Job job, int slice, int block, int kc) =>
        job.PrepackedA + slice * job.SliceStrideA + (long)block * (MC * kc + 8);

    // Item i of the shared packing: k slice i / RowBlocks, row block i % RowBlocks.
    private static void PackABlock(int i, nint state)
    {
        ref Job job = ref *(Job*)state;
        int slice = i / job.RowBlocks, block = i % job.RowBlocks, p0 = slice * KC, kc = Math.Min(KC, job.K - p0);
        PackA(ref job, block * MC, Math.Min(MC, job.M - block * MC), p0, kc, SharedABlock(ref job, slice, block, kc));
    }

    // Tile t: column slivers [sStart, sEnd) and row blocks [bStart, bEnd) of MC rows. For each KC slice: B's slivers (packed
    // here, or taken from the prepacked matrix), then each row block's A slivers; column slivers outside, row slivers
    // inside, so one B sliver stays in L1 while the A block streams from L2.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ComputeTile(int t, nint state)
    {
        ref Job job = ref *(Job*)state;
        int colTile = t % job.ColTiles, rowTile = t / job.ColTiles;
        int sStart = colTile * job.SliversPerTile, sEnd = Math.Min(job.SliversB, sStart + job.SliversPerTile);
        if (job.GuidedThreads > 0) (sStart, sEnd) = GuidedTile(job.SliversB, job.GuidedThreads, colTile);
        int iStart = rowTile * job.RowBlocksPerTile * MC, iEnd = Math.Min(job.M, iStart + job.RowBlocksPerTile * MC);
        int nr = NR;
        float* packA = Buffer(ref _packA, (long)MC * KC + 8); // + 8: PackA's last 8-float store may run 2 past the end
        float* packB = job.PrepackedB is null ? Buffer(ref _packB, (long)(sEnd - sStart) * nr * KC) : null;
        for (int p0 = 0; p0 < job.K; p0 += KC)
        {
            int kc = Math.Min(KC, job.K - p0);
            float beta = p0 == 0 ? job.Beta : 1f; // later K slices accumulate onto the first
            bool addBias = job.Bias is not null && p0 + kc == job.K; // on the last slice: once the sum is whole, as a pass after would add it
            float* bSlivers;
            if (job.PrepackedB is null)
            {
                PackB(ref job, sStart, sEnd, p0, kc, packB);
                bSlivers = packB;
            }
            else bSlivers = job.PrepackedB + (long)p0 * job.SliversB * nr + (long)sStart * nr * kc;
            for (int i0Block = iStart; i0Block < iEnd; i0Block += MC)
            {
                int blockRows = Math.Min(MC, iEnd - i0Block);
                float* aBlock = packA;
                int directRows = 0; // the block's first rows, in whole slivers, that the kernels read from A itself
                if (job.DirectA)
                {
                    directRows = blockRows / MR * MR;
                    if (directRows < blockRows) PackA(ref job, i0Block + directRows, blockRows - directRows, p0, kc, packA); // the ragged last sliver
                }
                else if (job.PrepackedA is null) PackA(ref job, i0Block, blockRows, p0, kc, packA);
                else aBlock = SharedABlock(ref job, p0 / KC, i0Block / MC, kc);
                for (int s = sStart; s < sEnd; s++)
                {
                    int j0 = s * nr, cols = Math.Min(nr, job.N - j0);
                    float* bias = addBias ? job.Bias + j0 : null;
                    float* bp = bSlivers + (long)(s - sStart) * nr * kc;
                    for (int r0 = 0; r0 < blockRows; r0 += MR)
                    {
                        int rows = Math.Min(MR, blockRows - r0);
                        float* cTile = job.C + (long)(i0Block + r0) * job.Ldc + j0;
                        if (r0 < directRows)
                        {
                            int i = i0Block + r0;
                            if (job.TransA) Kernel<ColumnsOfA>(kc, job.A + (long)p0 * job.Lda + i, job.Lda, bp, cTile, ref job, beta, rows, cols, bias);
                            else Kernel<RowsOfA>(kc, job.A + (long)i * job.Lda + p0, job.Lda, bp, cTile, ref job, beta, rows, cols, bias);
                            continue;
                        }
                        float* ap = aBlock + (long)((r0 - directRows) / MR) * MR * kc;
                        if (nr == 32) Kernel<PackedA>(kc, ap, 0, bp, cTile, ref job, beta, rows, cols, bias);
                        else MicroKernels.Kernel6x16(kc, ap, bp, cTile, job.Ldc, job.Alpha, beta, rows, cols, bias);
                    }
                }
            }
        }
    }

    // One 6×32 tile: the full kernel, or its half-width edge when 16 columns or fewer are left.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<TA>(int kc, float* a, nint lda, float* bp, float* cTile, ref Job job, float beta, int rows, int cols, float* bias)
        where TA : struct, IPanelA
    {
        if (cols > 16) MicroKernels.Kernel6x32<TA>(kc, a, lda, bp, cTile, job.Ldc, job.Alpha, beta, rows, cols, bias);
        else MicroKernels.Kernel6x16Of32<TA>(kc, a, lda, bp, cTile, job.Ldc, job.Alpha, beta, rows, cols, bias);
    }

    // Rows [i0, i0 + rows) of op(A)[:, p0:p0+kc] as MR-row slivers, sliver q at dst + q·MR·kc holding dst[p·MR + r];
    // rows past the end are zero. Whole slivers move by vectors: for A, 6×8 blocks are transposed in registers and each
    // packed step is stored 8 floats wide, the 2 extra floats landing where the next store (or the next sliver, or the
    // buffer's padding) writes; for Aᵀ, each step's 6 floats are one 4- and one 2-float copy.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(ref Job job, int i0, int rows, int p0, int kc, float* dst)
    {
        for (int q0 = 0; q0 < rows; q0 += MR, dst += MR * kc)
        {
            int live = Math.Min(MR, rows - q0), first = i0 + q0;
            if (job.TransA)
            {
                if (live == MR)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        float* src = job.A + (long)(p0 + p) * job.Lda + first;
                        Vector128.Load(src).Store(dst + p * MR);
                        *(long*)(dst + p * MR + 4) = *(long*)(src + 4);
                    }
                    continue;
                }
                for (int p = 0; p < kc; p++)
                {
                    float* src = job.A + (long)(p0 + p) * job.Lda + first;
                    int r = 0;
                    for (; r < live; r++) dst[p * MR + r] = src[r];
                    for (; r < MR; r++) dst[p * MR + r] = 0;
                }
            }
            else
            {
                int p = 0;
                if (live == MR && Avx.IsSupported)
                {
                    float* src = job.A + (long)first * job.Lda + p0;
                    for (; p + 8 <= kc; p += 8) TransposePack.Transpose6x8(src + p, job.Lda, dst + p * MR);
                }
                for (int r = 0; r < MR; r++)
                {
                    if (r < live)
                    {
                        float* src = job.A + (long)(first + r) * job.Lda + p0;
                        for (int pp = p; pp < kc; pp++) dst[pp * MR + r] = src[pp];
                    }
                    else
                    {
                        for (int pp = p; pp < kc; pp++) dst[pp * MR + r] = 0;
                    }
                }
            }
        }
    }

    // Column slivers [sStart, sEnd) of op(B)[p0:p0+kc, :], sliver s at dst + (s − sStart)·NR·kc holding dst[p·NR + j];
    // columns past the end are zero.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB(ref Job job, int sStart, int sEnd, int p0, int kc, float* dst)
    {
        int nr = NR;
        for (int s = sStart; s < sEnd; s++, dst += (long)nr * kc)
        {
            int j0 = s * nr, cols = Math.Min(nr, job.N - j0);
            if (job.TransB)
            {
                TransposePack.Pack(job.B + (long)j0 * job.Ldb + p0, job.Ldb, dst, kc, nr, cols);
            }
            else if (cols == nr && nr == 32)
            {
                // Whole slivers by two vector copies a row: span copies of 128 bytes spent more in the call than in the copy.
                float* src = job.B + (long)p0 * job.Ldb + j0;
                for (int p = 0; p < kc; p++, src += job.Ldb)
                {
                    Vector512.Load(src).Store(dst + p * 32);
                    Vector512.Load(src + 16).Store(dst + p * 32 + 16);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++)
                {
                    var src = new ReadOnlySpan<float>(job.B + (long)(p0 + p) * job.Ldb + j0, cols);
                    var row = new Span<float>(dst + p * nr, nr);
                    src.CopyTo(row);
                    row[cols..].Clear();
                }
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
