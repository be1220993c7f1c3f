using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace SharpGan.Tensors.Kernels;

/// <summary>
/// Maxout over pieces: z is (rows, units·pieces) laid out unit-major (z[r, u·pieces + p], as pylearn2 and
/// a PyTorch view(rows, units, pieces).max(-1) do); y is (rows, units); argmax keeps the winning flat index.
/// </summary>
internal static unsafe class MaxoutKernels
{
    /// <summary>y[r,u] = max_p z[r,u,p]; argmax[r,u] = index into z of the winner (first one on ties). Rows on all threads.</summary>
    public static void Forward(ReadOnlySpan<float> z, Span<float> y, Span<int> argmax, int rows, int units, int pieces)
    {
        if (z.Length < rows * units * pieces || y.Length < rows * units || argmax.Length < rows * units)
            throw new ArgumentException("maxout spans shorter than rows × units (× pieces)");
        fixed (float* pz = z, py = y)
        fixed (int* pa = argmax)
        {
            var pass = new Pass { Z = pz, Y = py, Argmax = pa, Units = units, Pieces = pieces };
            ParallelRanges.Rows(rows, units * pieces, &ForwardRows, (nint)(&pass));
        }
    }

    /// <summary>
    /// dz = 0 except dz[argmax[i]] = dy[i]: the gradient goes only to the winning piece. dy is (rows, units), dz is
    /// (rows, units·pieces); a row's winners lie in its own row of dz, so rows run on all threads.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dz, int units, int pieces)
    {
        if (dy.Length % units != 0 || argmax.Length < dy.Length || dz.Length < dy.Length * pieces)
            throw new ArgumentException("maxout gradient spans do not match rows × units (× pieces)");
        fixed (float* pdy = dy, pdz = dz)
        fixed (int* pa = argmax)
        {
            var pass = new Pass { Z = pdz, Y = pdy, Argmax = pa, Units = units, Pieces = pieces };
            ParallelRanges.Rows(dy.Length / units, units * pieces, &BackwardRows, (nint)(&pass));
        }
    }

    private struct Pass
    {
        public float* Z, Y; // z and y forward; dz and dy backward
        public int* Argmax;
        public int Units, Pieces;
    }

    private static void ForwardRows(int first, int end, nint state)
    {
        var p = (Pass*)state;
        ForwardRange(p->Z, p->Y, p->Argmax, first, end, p->Units, p->Pieces);
    }

    private static void BackwardRows(int first, int end, nint state)
    {
        var p = (Pass*)state;
        int width = p->Units * p->Pieces;
        new Span<float>(p->Z + (long)first * width, (end - first) * width).Clear();
        for (int i = first * p->Units; i < end * p->Units; i++) p->Z[p->Argmax[i]] = p->Y[i];
    }

    // Rows [first, end) of the forward pass: z (rows, units·pieces), y and argmax (rows, units). Which piece wins is
    // data: a branch on it was mispredicted about every other time and made this pass ≈ 5 % of the paper MLP's
    // iteration, so eight units go at a time, their pieces gathered (stride `pieces`) and the winners chosen by
    // compare-and-select.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRange(float* z, float* y, int* argmax, int first, int end, int units, int pieces)
    {
        int vectorUnits = Avx2.IsSupported ? units / 8 * 8 : 0;
        var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * pieces;
        for (int r = first; r < end; r++)
        {
            int rowBase = r * units * pieces;
            for (int u = 0; u < vectorUnits; u += 8)
            {
                var index = lane + Vector256.Create(rowBase + u * pieces);
                var best = Avx2.GatherVector256(z, index, 4);
                var bestIndex = index;
                for (int p = 1; p < pieces; p++)
                {
                    index += Vector256<int>.One;
                    var v = Avx2.GatherVector256(z, index, 4);
                    var better = Vector256.GreaterThan(v, best); // strict: the first piece wins ties; NaN never wins
                    best = Vector256.ConditionalSelect(better, v, best);
                    bestIndex = Vector256.ConditionalSelect(better.AsInt32(), index, bestIndex);
                }
                best.Store(y + r * units + u);
                bestIndex.Store(argmax + r * units + u);
            }
            for (int u = vectorUnits; u < units; u++)
            {
                int baseIndex = rowBase + u * pieces, winner = baseIndex;
                float bestValue = z[baseIndex];
                for (int p = 1; p < pieces; p++)
                {
                    float v = z[baseIndex + p];
                    if (v > bestValue) { bestValue = v; winner = baseIndex + p; }
                }
                y[r * units + u] = bestValue;
                argmax[r * units + u] = winner;
            }
        }
    }
}
