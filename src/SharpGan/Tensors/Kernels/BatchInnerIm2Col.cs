using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Tensors.Kernels;

/// <summary>
/// im2col and its adjoint for a whole batch laid out batch-innermost: images as xT (C, H, W, N), the column matrix as
/// (C·kh·kw, Ho·Wo·N) with cols[(c·kh + i)·kw + j, (oy·Wo + ox)·N + n] = xT[c, oy·s − p + i, ox·s − p + j, n] (0 outside
/// the image). Why: DCGAN-28's images are 7 and 14 pixels wide, so im2col over NCHW moves rows of 7–14 floats with
/// stride-2 gathers; here every move is N contiguous floats (64 in the presets), whatever the stride. A convolution's
/// GEMMs are then the same products with their columns permuted, so every output element sums the same terms in the same
/// order as over NCHW. Rows (forward) and channels (adjoint) run on all threads; each writes only its own, so the result
/// does not depend on the thread count.
/// </summary>
internal static unsafe class BatchInnerIm2Col
{
    private struct Pass
    {
        public ConvGeometry Geometry;
        public float* Source, Target;
        public int N, Channels, Positions;
        public bool Accumulate;
    }

    /// <summary>x (N, C, P) → xT (C, P, N).</summary>
    public static void Transpose(ReadOnlySpan<float> x, Span<float> xT, int n, int channels, int positions)
    {
        CheckLengths(x.Length, xT.Length, (long)n * channels * positions);
        fixed (float* px = x, pt = xT)
        {
            var pass = new Pass { Source = px, Target = pt, N = n, Channels = channels, Positions = positions };
            ParallelRanges.Rows(channels, n * positions, &TransposeChannels, (nint)(&pass));
        }
    }

    /// <summary>xT (C, P, N) → x (N, C, P), written or (<paramref name="accumulate"/>) added.</summary>
    public static void TransposeBack(ReadOnlySpan<float> xT, Span<float> x, int n, int channels, int positions, bool accumulate)
    {
        CheckLengths(xT.Length, x.Length, (long)n * channels * positions);
        fixed (float* pt = xT, px = x)
        {
            var pass = new Pass { Source = pt, Target = px, N = n, Channels = channels, Positions = positions, Accumulate = accumulate };
            ParallelRanges.Rows(channels, n * positions, &TransposeBackChannels, (nint)(&pass));
        }
    }

    /// <summary>xT (C, H, W, N) → cols (C·kh·kw, Ho·Wo·N); rows on all threads.</summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> xT, Span<float> cols, int n)
    {
        CheckLengths(xT.Length, cols.Length, (long)g.Channels * g.Height * g.Width * n, (long)g.PatchSize * g.Positions * n);
        fixed (float* px = xT, pc = cols)
        {
            var pass = new Pass { Geometry = g, Source = px, Target = pc, N = n };
            ParallelRanges.Rows(g.PatchSize, g.Positions * n, &ForwardRows, (nint)(&pass));
        }
    }

    /// <summary>
    /// The adjoint: xT (C, H, W, N) = cols (C·kh·kw, Ho·Wo·N) scattered back, each channel cleared by the thread that then
    /// adds its terms into it; channels on all threads.
    /// </summary>
    public static void Backward(in ConvGeometry g, ReadOnlySpan<float> cols, Span<float> xT, int n)
    {
        CheckLengths(xT.Length, cols.Length, (long)g.Channels * g.Height * g.Width * n, (long)g.PatchSize * g.Positions * n);
        fixed (float* px = xT, pc = cols)
        {
            var pass = new Pass { Geometry = g, Source = pc, Target = px, N = n };
            ParallelRanges.Rows(g.Channels, g.KernelH * g.KernelW * g.Positions * n, &BackwardChannels, (nint)(&pass));
        }
    }

    private static void CheckLengths(long first, long second, long needFirst, long needSecond = -1)
    {
        if (first < needFirst || second < (needSecond < 0 ? needFirst : needSecond)) throw new ArgumentException("buffers too small for the batch");
    }

    // Per channel, the (N, P) block whose rows are C·P apart becomes (P, N).
    private static void TransposeChannels(int firstChannel, int endChannel, nint state)
    {
        var p = (Pass*)state;
        int n = p->N, c = p->Channels, positions = p->Positions, ld = c * positions;
        for (int ch = firstChannel; ch < endChannel; ch++)
            TransposePack.Matrix(p->Source + (long)ch * positions, ld, n, positions, p->Target + (long)ch * positions * n, n);
    }

    private static void TransposeBackChannels(int firstChannel, int endChannel, nint state)
    {
        var p = (Pass*)state;
        int n = p->N, c = p->Channels, positions = p->Positions, ld = c * positions;
        bool accumulate = p->Accumulate;
        int tiledImages = Avx.IsSupported ? n & ~7 : 0, tiledPositions = Avx.IsSupported ? positions & ~7 : 0;
        float* tile = stackalloc float[64];
        for (int ch = firstChannel; ch < endChannel; ch++)
        {
            float* source = p->Source + (long)ch * positions * n, target = p->Target + (long)ch * positions;
            if (!accumulate)
            {
                TransposePack.Matrix(source, n, positions, n, target, ld);
                continue;
            }
            // Added to: each 8×8 tile transposed into a buffer, then added row by row.
            for (int q = 0; q < tiledPositions; q += 8)
                for (int image = 0; image < tiledImages; image += 8)
                {
                    float* to = target + (long)image * ld + q;
                    TransposePack.Transpose8x8(source + (long)q * n + image, n, tile, 8);
                    for (int r = 0; r < 8; r++) Avx.Store(to + (long)r * ld, Avx.Add(Avx.LoadVector256(to + (long)r * ld), Avx.LoadVector256(tile + 8 * r)));
                }
            for (int image = 0; image < n; image++)
            {
                float* to = target + (long)image * ld;
                for (int q = image < tiledImages ? tiledPositions : 0; q < positions; q++) to[q] += source[(long)q * n + image];
            }
        }
    }

    // Rows [first, end) of the column matrix; row r = (c·kh + i)·kw + j.
    private static void ForwardRows(int first, int end, nint state)
    {
        var p = (Pass*)state;
        ref readonly var g = ref p->Geometry;
        int n = p->N, ho = g.OutHeight, wo = g.OutWidth, s = g.Stride;
        for (int r = first; r < end; r++)
        {
            int j = r % g.KernelW, i = r / g.KernelW % g.KernelH, c = r / (g.KernelW * g.KernelH);
            int offset = j - g.Padding;
            var (valid, validEnd) = Im2Col.ValidColumns(g.Width, wo, s, offset);
            float* row = p->Target + (long)r * g.Positions * n;
            for (int oy = 0; oy < ho; oy++)
            {
                float* d = row + (long)oy * wo * n;
                int iy = oy * s - g.Padding + i;
                if (iy < 0 || iy >= g.Height)
                {
                    Zero(d, (long)wo * n);
                    continue;
                }
                float* source = p->Source + ((long)c * g.Height + iy) * g.Width * n;
                Zero(d, (long)valid * n);
                if (s == 1) Copy(source + (long)(valid + offset) * n, d + (long)valid * n, (long)(validEnd - valid) * n);
                else
                    for (int ox = valid; ox < validEnd; ox++) Copy(source + (long)(ox * s + offset) * n, d + (long)ox * n, n);
                Zero(d + (long)validEnd * n, (long)(wo - validEnd) * n);
            }
        }
    }

    // Channels [first, end): each pixel receives its terms in (i, j, oy, ox) order, as the NCHW adjoint adds them.
    private static void BackwardChannels(int first, int end, nint state)
    {
        var p = (Pass*)state;
        ref readonly var g = ref p->Geometry;
        int n = p->N, ho = g.OutHeight, wo = g.OutWidth, s = g.Stride;
        for (int c = first; c < end; c++)
        {
            Zero(p->Target + (long)c * g.Height * g.Width * n, (long)g.Height * g.Width * n);
            for (int i = 0; i < g.KernelH; i++)
                for (int j = 0; j < g.KernelW; j++)
                {
                    int offset = j - g.Padding;
                    var (valid, validEnd) = Im2Col.ValidColumns(g.Width, wo, s, offset);
                    float* row = p->Source + (long)((c * g.KernelH + i) * g.KernelW + j) * g.Positions * n;
                    for (int oy = 0; oy < ho; oy++)
                    {
                        int iy = oy * s - g.Padding + i;
                        if (iy < 0 || iy >= g.Height) continue;
                        float* source = row + (long)oy * wo * n;
                        float* target = p->Target + ((long)c * g.Height + iy) * g.Width * n;
                        if (s == 1) Add(source + (long)valid * n, target + (long)(valid + offset) * n, (validEnd - valid) * n);
                        else for (int ox = valid; ox < validEnd; ox++) Add(source + (long)ox * n, target + (long)(ox * s + offset) * n, n);
                    }
                }
        }
    }

    // The moves here are N floats at a time (64 in the presets), too short for a library call's fixed cost (a Memmove,
    // Clear or TensorPrimitives.Add per pixel were 2–4 % of DCGAN-28's CPU time): whole vectors inline, then the tail.
    // Each element is moved, zeroed or added alone, so the results are those of the library calls.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(float* source, float* target, long length)
    {
        long i = 0;
        for (; i + 8 <= length; i += 8) Vector256.Load(source + i).Store(target + i);
        for (; i < length; i++) target[i] = source[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Zero(float* target, long length)
    {
        long i = 0;
        for (; i + 8 <= length; i += 8) Vector256<float>.Zero.Store(target + i);
        for (; i < length; i++) target[i] = 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* source, float* target, long length)
    {
        long i = 0;
        for (; i + 8 <= length; i += 8) (Vector256.Load(target + i) + Vector256.Load(source + i)).Store(target + i);
        for (; i < length; i++) target[i] += source[i];
    }
}
