using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGan.Tensors.Gemm;

/// <summary>
/// Packs a transposed B sliver: dst[p·nr + j] = src[j·ld + p] for p &lt; kc, j &lt; nr (zero for j ≥ cols).
/// With AVX, full 8×8 blocks are transposed in registers (unpack, shuffle, lane permute) so both the
/// reads (rows of B) and the writes (rows of the sliver) are whole vectors.
/// </summary>
internal static unsafe class TransposePack
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Pack(float* src, int ld, float* dst, int kc, int nr, int cols)
    {
        int fullCols = Avx.IsSupported ? cols / 8 * 8 : 0;
        int fullK = Avx.IsSupported ? kc / 8 * 8 : 0;
        // k outer, row groups inner: the sliver's source rows are read side by side, 32 bytes each per step, and each
        // packed row is finished before the next. Row groups outer (8 rows walked to the end of k, then the next 8)
        // measured 1.4–2.2× slower on a 1200×1200 weight: the hardware prefetcher loses the short row runs.
        for (int p = 0; p < fullK; p += 8)
            for (int j = 0; j < fullCols; j += 8)
                Transpose8x8(src + (long)j * ld + p, ld, dst + (long)p * nr + j, nr);
        // Scalar remainder: the k tail of the vector columns, then every leftover column (zero past cols).
        for (int j = 0; j < fullCols; j++)
        {
            float* row = src + (long)j * ld;
            for (int p = fullK; p < kc; p++) dst[p * nr + j] = row[p];
        }
        for (int pb = 0; pb < kc; pb += 16)
        {
            int pe = Math.Min(pb + 16, kc);
            for (int j = fullCols; j < nr; j++)
            {
                if (j < cols)
                {
                    float* row = src + (long)j * ld;
                    for (int p = pb; p < pe; p++) dst[p * nr + j] = row[p];
                }
                else
                {
                    for (int p = pb; p < pe; p++) dst[p * nr + j] = 0;
                }
            }
        }
    }

    /// <summary>
    /// dst[j·ldd + i] = src[i·lds + j] for i &lt; rows, j &lt; cols: 8×8 blocks in registers where AVX allows, the ragged
    /// edges element by element (a transpose only moves values, so both give the same bits).
    /// </summary>
    public static void Matrix(float* src, long lds, int rows, int cols, float* dst, long ldd)
    {
        int tiledRows = Avx.IsSupported ? rows & ~7 : 0, tiledCols = Avx.IsSupported ? cols & ~7 : 0;
        for (int i = 0; i < tiledRows; i += 8)
            for (int j = 0; j < tiledCols; j += 8)
                Transpose8x8(src + i * lds + j, (int)lds, dst + j * ldd + i, (int)ldd);
        for (int i = 0; i < rows; i++)
            for (int j = i < tiledRows ? tiledCols : 0; j < cols; j++)
                dst[j * ldd + i] = src[i * lds + j];
    }

    // out[r·6 + c] = in[c][r] for c < 6, r < 8: six rows (ld apart) of 8 floats into 8 packed steps of 6. Each step is
    // stored 8 wide in order, so its 2 extra floats are overwritten by the next; the last step's land 2 floats past the
    // block (the caller leaves room).
    public static void Transpose6x8(float* input, int ld, float* output)
    {
        var zero = Vector256<float>.Zero;
        Transpose(Avx.LoadVector256(input), Avx.LoadVector256(input + ld), Avx.LoadVector256(input + 2 * ld),
            Avx.LoadVector256(input + 3 * ld), Avx.LoadVector256(input + 4 * ld), Avx.LoadVector256(input + 5 * ld), zero, zero, output, 6);
    }

    // out[r][c] = in[c][r] for an 8×8 block: in rows are ld apart, out rows are nr apart.
    public static void Transpose8x8(float* input, int ld, float* output, int nr) =>
        Transpose(Avx.LoadVector256(input), Avx.LoadVector256(input + ld), Avx.LoadVector256(input + 2 * ld),
            Avx.LoadVector256(input + 3 * ld), Avx.LoadVector256(input + 4 * ld), Avx.LoadVector256(input + 5 * ld),
            Avx.LoadVector256(input + 6 * ld), Avx.LoadVector256(input + 7 * ld), output, nr);

    // Stores column r of the 8×8 block with rows r0…r7 at output + r·stride, r = 0…7 in order (unpack, shuffle, lane permute).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* output, int stride)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(output, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(output + stride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(output + 2 * stride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(output + 3 * stride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(output + 4 * stride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(output + 5 * stride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(output + 6 * stride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(output + 7 * stride, Avx.Permute2x128(s3, s7, 0x31));
    }
}
