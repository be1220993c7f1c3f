using System.Numerics.Tensors;

namespace SharpGan.Tensors.Kernels;

/// <summary>
/// Per-channel passes over (N, C, P) tensors (a convolution's bias and its gradient), on all threads. Each plane or
/// channel is one piece of work summed in the order one thread would sum it, so the result does not depend on the
/// thread count.
/// </summary>
internal static unsafe class ChannelKernels
{
    private struct Pass
    {
        public float* Values, PerChannel;
        public int Images, Channels, Positions;
    }

    /// <summary>y (N, C, P) += bias[c] on every position of channel c.</summary>
    public static void AddBias(Span<float> y, ReadOnlySpan<float> bias, int n, int positions)
    {
        Check(y.Length, (long)n * bias.Length * positions);
        fixed (float* py = y, pb = bias)
        {
            var pass = new Pass { Values = py, PerChannel = pb, Images = n, Channels = bias.Length, Positions = positions };
            ParallelRanges.Rows(n * bias.Length, positions, &AddBiasPlanes, (nint)(&pass));
        }
    }

    /// <summary>sums[c] += Σ over images (in order) and positions of dy (N, C, P).</summary>
    public static void AccumulateSums(ReadOnlySpan<float> dy, Span<float> sums, int n, int positions)
    {
        Check(dy.Length, (long)n * sums.Length * positions);
        fixed (float* pdy = dy, ps = sums)
        {
            var pass = new Pass { Values = pdy, PerChannel = ps, Images = n, Channels = sums.Length, Positions = positions };
            ParallelRanges.Rows(sums.Length, n * positions, &AccumulateChannels, (nint)(&pass));
        }
    }

    private static void Check(long length, long needed)
    {
        if (length < needed) throw new ArgumentException("tensor shorter than images × channels × positions");
    }

    // Planes [first, end): plane r is image r / C, channel r % C.
    private static void AddBiasPlanes(int first, int end, nint state)
    {
        var p = (Pass*)state;
        for (int r = first; r < end; r++)
        {
            var plane = new Span<float>(p->Values + (long)r * p->Positions, p->Positions);
            TensorPrimitives.Add(plane, p->PerChannel[r % p->Channels], plane);
        }
    }

    private static void AccumulateChannels(int first, int end, nint state)
    {
        var p = (Pass*)state;
        for (int c = first; c < end; c++)
            for (int i = 0; i < p->Images; i++)
                p->PerChannel[c] += TensorPrimitives.Sum(new ReadOnlySpan<float>(p->Values + ((long)i * p->Channels + c) * p->Positions, p->Positions));
    }
}
