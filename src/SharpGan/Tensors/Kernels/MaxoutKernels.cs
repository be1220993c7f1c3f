namespace SharpGan.Tensors.Kernels;

/// <summary>
/// Maxout over pieces: z is (rows, units·pieces) laid out unit-major (z[r, u·pieces + p], as pylearn2 and
/// a PyTorch view(rows, units, pieces).max(-1) do); y is (rows, units); argmax keeps the winning flat index.
/// </summary>
internal static class MaxoutKernels
{
    /// <summary>y[r,u] = max_p z[r,u,p]; argmax[r,u] = index into z of the winner (first one on ties).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> z, Span<float> y, Span<int> argmax, int rows, int units, int pieces)
    {
        for (int r = 0; r < rows; r++)
        for (int u = 0; u < units; u++)
        {
            int baseIndex = (r * units + u) * pieces;
            int best = baseIndex;
            float bestValue = z[baseIndex];
            for (int p = 1; p < pieces; p++)
            {
                float v = z[baseIndex + p];
                if (v > bestValue) { bestValue = v; best = baseIndex + p; }
            }
            y[r * units + u] = bestValue;
            argmax[r * units + u] = best;
        }
    }

    /// <summary>dz = 0 except dz[argmax[i]] = dy[i]: the gradient goes only to the winning piece.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<int> argmax, Span<float> dz)
    {
        dz.Clear();
        for (int i = 0; i < dy.Length; i++) dz[argmax[i]] = dy[i];
    }
}
