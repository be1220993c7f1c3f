namespace SharpGan.Tensors.Kernels;

/// <summary>
/// Shape of a 2-D convolution over one image: input (C, H, W), square-or-not kernel (kh, kw), stride, padding,
/// output (Ho, Wo) with Ho = (H + 2p − kh) / s + 1. A transposed convolution uses the same geometry with the
/// roles of input and output swapped.
/// </summary>
public readonly record struct ConvGeometry(int Channels, int Height, int Width, int KernelH, int KernelW, int Stride, int Padding)
{
    /// <summary>Output rows.</summary>
    public int OutHeight => (Height + 2 * Padding - KernelH) / Stride + 1;

    /// <summary>Output columns.</summary>
    public int OutWidth => (Width + 2 * Padding - KernelW) / Stride + 1;

    /// <summary>Rows of the column matrix: C·kh·kw.</summary>
    public int PatchSize => Channels * KernelH * KernelW;

    /// <summary>Columns of the column matrix: Ho·Wo.</summary>
    public int Positions => OutHeight * OutWidth;

    /// <summary>Throws unless the geometry is valid (positive sizes, kernel fits the padded input).</summary>
    public void Validate()
    {
        if (Channels <= 0 || Height <= 0 || Width <= 0) throw new ArgumentException($"input ({Channels}, {Height}, {Width}) must be positive");
        if (KernelH <= 0 || KernelW <= 0) throw new ArgumentException($"kernel {KernelH}×{KernelW} must be positive");
        if (Stride <= 0) throw new ArgumentException($"stride {Stride} must be positive");
        if (Padding < 0) throw new ArgumentException($"padding {Padding} must be ≥ 0");
        if (Height + 2 * Padding < KernelH || Width + 2 * Padding < KernelW)
            throw new ArgumentException($"kernel {KernelH}×{KernelW} is larger than the padded input {Height + 2 * Padding}×{Width + 2 * Padding}");
    }
}

/// <summary>
/// im2col and col2im: cols[(c·kh + i)·kw + j, oy·Wo + ox] = x[c, oy·s − p + i, ox·s − p + j] (0 outside the image),
/// so a convolution becomes one GEMM: y (F, Ho·Wo) = W (F, C·kh·kw) · cols.
/// </summary>
internal static unsafe class Im2Col
{
    // Below this many column entries a batch is unrolled on the calling thread: waking workers costs more.
    private const long ParallelFrom = 1 << 16;

    private struct BatchJob
    {
        public ConvGeometry Geometry;
        public float* X, Cols;
        public int ImageSize, Positions, RowStride;
    }

    /// <summary>
    /// <see cref="Forward"/> for a batch: x (n, C·H·W) → cols (C·kh·kw, n·Ho·Wo), image i at column offset i·Ho·Wo;
    /// images in parallel (each writes its own columns, so the result does not depend on the thread count).
    /// </summary>
    public static void ForwardBatch(in ConvGeometry g, ReadOnlySpan<float> x, Span<float> cols, int n) => RunBatch(g, x, cols, n, &ForwardImage);

    /// <summary>
    /// <see cref="Backward"/> for a batch: cols (C·kh·kw, n·Ho·Wo) scattered and added into x (n, C·H·W); images in
    /// parallel (each adds into its own image only).
    /// </summary>
    public static void BackwardBatch(in ConvGeometry g, ReadOnlySpan<float> cols, Span<float> x, int n) => RunBatch(g, x, cols, n, &BackwardImage);

    private static void RunBatch(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> cols, int n, delegate*<int, nint, void> body)
    {
        int imageSize = g.Channels * g.Height * g.Width, p = g.Positions;
        if (x.Length < (long)n * imageSize || cols.Length < (long)g.PatchSize * n * p) throw new ArgumentException("buffers too small for the batch");
        fixed (float* px = x, pc = cols)
        {
            var job = new BatchJob { Geometry = g, X = px, Cols = pc, ImageSize = imageSize, Positions = p, RowStride = n * p };
            if ((long)g.PatchSize * n * p < ParallelFrom)
                for (int i = 0; i < n; i++) body(i, (nint)(&job));
            else WorkerPool.For(n, body, (nint)(&job));
        }
    }

    private static void ForwardImage(int i, nint state)
    {
        ref var job = ref *(BatchJob*)state;
        long colsLength = (long)job.Geometry.PatchSize * job.RowStride - (long)i * job.Positions;
        Forward(job.Geometry, new ReadOnlySpan<float>(job.X + (long)i * job.ImageSize, job.ImageSize),
            new Span<float>(job.Cols + (long)i * job.Positions, (int)colsLength), job.RowStride);
    }

    private static void BackwardImage(int i, nint state)
    {
        ref var job = ref *(BatchJob*)state;
        long colsLength = (long)job.Geometry.PatchSize * job.RowStride - (long)i * job.Positions;
        Backward(job.Geometry, new ReadOnlySpan<float>(job.Cols + (long)i * job.Positions, (int)colsLength),
            new Span<float>(job.X + (long)i * job.ImageSize, job.ImageSize), job.RowStride);
    }

    /// <summary>
    /// x is (C, H, W); writes its (C·kh·kw, Ho·Wo) column matrix into cols, whose rows are <paramref name="rowStride"/>
    /// apart (default Ho·Wo; a batch lays its images side by side: image i at column offset i·Ho·Wo, stride N·Ho·Wo).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, Span<float> cols, int rowStride = -1)
    {
        int ho = g.OutHeight, wo = g.OutWidth, row = 0, stride = g.Stride;
        rowStride = CheckedRowStride(g, x.Length, cols.Length, rowStride);
        fixed (float* px = x, pcols = cols)
        {
            for (int c = 0; c < g.Channels; c++)
            for (int i = 0; i < g.KernelH; i++)
            for (int j = 0; j < g.KernelW; j++, row++)
            {
                // Output columns [first, end) read input column ox·stride + offset inside the image; the rest are padding.
                int offset = j - g.Padding;
                var (first, end) = ValidColumns(g.Width, wo, stride, offset);
                float* dst = pcols + (long)row * rowStride;
                for (int oy = 0; oy < ho; oy++, dst += wo)
                {
                    int iy = oy * stride - g.Padding + i;
                    if (iy < 0 || iy >= g.Height)
                    {
                        new Span<float>(dst, wo).Clear();
                        continue;
                    }
                    float* src = px + (long)(c * g.Height + iy) * g.Width + offset;
                    for (int ox = 0; ox < first; ox++) dst[ox] = 0f;
                    if (stride == 1) new ReadOnlySpan<float>(src + first, end - first).CopyTo(new Span<float>(dst + first, end - first));
                    else for (int ox = first; ox < end; ox++) dst[ox] = src[ox * stride];
                    for (int ox = end; ox < wo; ox++) dst[ox] = 0f;
                }
            }
        }
    }

    /// <summary>The adjoint: x (C, H, W) += the column entries scattered back to the pixels they came from (rows <paramref name="rowStride"/> apart).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Backward(in ConvGeometry g, ReadOnlySpan<float> cols, Span<float> x, int rowStride = -1)
    {
        int ho = g.OutHeight, wo = g.OutWidth, row = 0, stride = g.Stride;
        rowStride = CheckedRowStride(g, x.Length, cols.Length, rowStride);
        fixed (float* px = x, pcols = cols)
        {
            for (int c = 0; c < g.Channels; c++)
            for (int i = 0; i < g.KernelH; i++)
            for (int j = 0; j < g.KernelW; j++, row++)
            {
                int offset = j - g.Padding;
                var (first, end) = ValidColumns(g.Width, wo, stride, offset);
                float* src = pcols + (long)row * rowStride;
                for (int oy = 0; oy < ho; oy++, src += wo)
                {
                    int iy = oy * stride - g.Padding + i;
                    if (iy < 0 || iy >= g.Height) continue;
                    float* dst = px + (long)(c * g.Height + iy) * g.Width + offset;
                    // Each pixel receives its terms in the same (channel, i, j, oy) order as one element at a time.
                    if (stride == 1)
                    {
                        var d = new Span<float>(dst + first, end - first);
                        System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + first, end - first), d);
                    }
                    else for (int ox = first; ox < end; ox++) dst[ox * stride] += src[ox];
                }
            }
        }
    }

    // The column matrix's row stride (Ho·Wo unless given), once x and cols are known to hold the geometry's image and
    // columns: the passes below index them through pointers.
    private static int CheckedRowStride(in ConvGeometry g, int xLength, int colsLength, int rowStride)
    {
        int positions = g.OutHeight * g.OutWidth;
        if (rowStride < 0) rowStride = positions;
        if (xLength < g.Channels * g.Height * g.Width || colsLength < (g.PatchSize - 1L) * rowStride + positions)
            throw new ArgumentException("buffers too small for the geometry");
        return rowStride;
    }

    // The output columns ox in [0, outWidth) whose input column ox·stride + offset lies in [0, width): [first, end).
    internal static (int First, int End) ValidColumns(int width, int outWidth, int stride, int offset)
    {
        int first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int end = width - 1 - offset < 0 ? 0 : Math.Min(outWidth, (width - 1 - offset) / stride + 1);
        first = Math.Min(first, outWidth);
        return (first, Math.Max(first, end));
    }
}
