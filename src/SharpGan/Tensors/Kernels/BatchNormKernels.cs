using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpGan.Tensors.Kernels;

/// <summary>The sizes and settings of one batch-norm call over x (N, C, spatial), shared by its forward and backward.</summary>
internal unsafe struct BatchNormPass
{
    public int N, Channels, Spatial, Count;
    public bool Training;
    public bool OverwriteDx; // backward: Dx counts as zero and is stored, not added to
    public float Momentum, Eps;
    // Set by BatchNormKernels.Run for the duration of a call: the arrays below, pinned.
    // Mean and InvStd: per channel, the statistics the forward normalised with (the backward recomputes x̂ from them).
    public float* X, Y, Mean, InvStd, Gamma, Beta, RunningMean, RunningVar, Dy, Dx, DGamma, DBeta;
}

/// <summary>
/// Batch normalisation's per-channel passes (Ops.BatchNorm holds the definition and the tape). Channels are independent,
/// so they run side by side on the worker pool; each channel's sums are taken in the same order as on one thread, so
/// the result does not depend on the thread count.
/// </summary>
internal static unsafe class BatchNormKernels
{
    private const int ParallelFrom = 1 << 16; // elements: below this, waking workers costs more than it saves

    /// <summary>Pins the arrays (any may be null where the pass does not use it) and runs the forward or backward pass.</summary>
    public static void Run(ref BatchNormPass pass, float[] x, float[]? y, float[] mean, float[] invStd, float[]? gamma, float[]? beta,
        float[]? runningMean, float[]? runningVar, float[]? dy, float[]? dx, float[]? dGamma, float[]? dBeta, bool forward)
    {
        fixed (float* px = x, py = y, pmean = mean, pinv = invStd, pg = gamma, pb = beta, prm = runningMean, prv = runningVar)
        fixed (float* pdy = dy, pdx = dx, pdg = dGamma, pdb = dBeta)
        fixed (BatchNormPass* state = &pass)
        {
            pass.X = px; pass.Y = py; pass.Mean = pmean; pass.InvStd = pinv; pass.Gamma = pg; pass.Beta = pb;
            pass.RunningMean = prm; pass.RunningVar = prv; pass.Dy = pdy; pass.Dx = pdx; pass.DGamma = pdg; pass.DBeta = pdb;
            // (N, F) input: a channel's values are a column, F floats apart, so the channels go 8 at a time across each
            // row instead (FeatureGroupForward/Backward), in groups small enough to share out.
            bool features = pass.Spatial == 1;
            delegate*<int, nint, void> body = features
                ? (forward ? &FeatureGroupForward : &FeatureGroupBackward)
                : (forward ? &ForwardChannels : &BackwardChannels);
            int group = features ? FeatureGroup : ChannelGroup;
            int items = (pass.Channels + group - 1) / group;
            long elements = (long)pass.N * pass.Channels * pass.Spatial;
            if (elements >= (features ? ParallelFrom / 4 : ParallelFrom)) WorkerPool.For(items, body, (nint)state);
            else for (int c = 0; c < items; c++) body(c, (nint)state);
        }
    }

    private const int FeatureGroup = 64; // channels a work item of the (N, F) passes: 8 items for the semi-supervised G's 500

    // Forward for channels [64g, 64g + 64) of an (N, F) input: each channel's sums run over the rows in order, in double,
    // exactly as ForwardChannel's scalar tail adds them (a column has one value a row), eight channels a vector.
    private static void FeatureGroupForward(int g, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int first = g * FeatureGroup, end = Math.Min(p.Channels, first + FeatureGroup), n = p.N, f = p.Channels;
        double* sums = stackalloc double[2 * FeatureGroup];
        if (p.Training)
        {
            int c = first;
            for (; c + 8 <= end; c += 8)
            {
                Vector256<double> sumLow = default, sumHigh = default, squareLow = default, squareHigh = default;
                for (int b = 0; b < n; b++)
                {
                    var (low, high) = Vector256.Widen(Vector256.Load(p.X + (long)b * f + c));
                    (sumLow, sumHigh) = (sumLow + low, sumHigh + high);
                    (squareLow, squareHigh) = (squareLow + low * low, squareHigh + high * high);
                }
                sumLow.Store(sums + (c - first)); sumHigh.Store(sums + (c - first) + 4);
                squareLow.Store(sums + FeatureGroup + (c - first)); squareHigh.Store(sums + FeatureGroup + (c - first) + 4);
            }
            for (; c < end; c++)
            {
                double sum = 0, square = 0;
                for (int b = 0; b < n; b++) { float v = p.X[(long)b * f + c]; sum += v; square += (double)v * v; }
                (sums[c - first], sums[FeatureGroup + c - first]) = (sum, square);
            }
            // As DoubleSums.Total gives them: the (empty) vector lanes' 0 plus the tail.
            for (c = first; c < end; c++) Statistics(ref p, c, 0.0 + sums[c - first], 0.0 + sums[FeatureGroup + c - first]);
        }
        else
        {
            for (int c = first; c < end; c++) Statistics(ref p, c, 0, 0);
        }
        for (int b = 0; b < n; b++)
        {
            float* x = p.X + (long)b * f, y = p.Y + (long)b * f;
            int c = first;
            for (; c + 8 <= end; c += 8)
            {
                var h = (Vector256.Load(x + c) - Vector256.Load(p.Mean + c)) * Vector256.Load(p.InvStd + c);
                (Gammas(ref p, c) * h + Betas(ref p, c)).Store(y + c);
            }
            for (; c < end; c++)
                y[c] = (p.Gamma is null ? 1f : p.Gamma[c]) * ((x[c] - p.Mean[c]) * p.InvStd[c]) + (p.Beta is null ? 0f : p.Beta[c]);
        }
    }

    // Channel c's backward from its sums Σdy and Σdy·x̂: dγ and dβ added to, and dx's scale, Σdy and Σdy·x̂ as floats.
    private static void ChannelGradients(ref BatchNormPass p, int c, double totalDy, double totalDyXhat, float* scale, float* mDy, float* mDyX)
    {
        if (p.DGamma is not null) p.DGamma[c] += (float)totalDyXhat;
        if (p.DBeta is not null) p.DBeta[c] += (float)totalDy;
        float gamma = p.Gamma is null ? 1f : p.Gamma[c];
        *scale = p.Training ? gamma * p.InvStd[c] / p.Count : gamma * p.InvStd[c];
        (*mDy, *mDyX) = ((float)totalDy, (float)totalDyXhat);
    }

    private static Vector256<float> Gammas(ref BatchNormPass p, int c) => p.Gamma is null ? Vector256<float>.One : Vector256.Load(p.Gamma + c);

    private static Vector256<float> Betas(ref BatchNormPass p, int c) => p.Beta is null ? Vector256<float>.Zero : Vector256.Load(p.Beta + c);

    // Backward for channels [64g, 64g + 64) of an (N, F) input, the sums in BackwardChannel's order (rows in turn, in
    // double, each dy·x̂ rounded to float first), then dx as BackwardChannel forms it.
    private static void FeatureGroupBackward(int g, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int first = g * FeatureGroup, end = Math.Min(p.Channels, first + FeatureGroup), n = p.N, f = p.Channels, count = p.Count;
        double* sums = stackalloc double[2 * FeatureGroup];
        int c0 = first;
        for (; c0 + 8 <= end; c0 += 8)
        {
            Vector256<double> dyLow = default, dyHigh = default, dyXhatLow = default, dyXhatHigh = default;
            var (mu, inv) = (Vector256.Load(p.Mean + c0), Vector256.Load(p.InvStd + c0));
            for (int b = 0; b < n; b++)
            {
                var d = Vector256.Load(p.Dy + (long)b * f + c0);
                var (low, high) = Vector256.Widen(d);
                (dyLow, dyHigh) = (dyLow + low, dyHigh + high);
                (low, high) = Vector256.Widen(d * ((Vector256.Load(p.X + (long)b * f + c0) - mu) * inv));
                (dyXhatLow, dyXhatHigh) = (dyXhatLow + low, dyXhatHigh + high);
            }
            dyLow.Store(sums + (c0 - first)); dyHigh.Store(sums + (c0 - first) + 4);
            dyXhatLow.Store(sums + FeatureGroup + (c0 - first)); dyXhatHigh.Store(sums + FeatureGroup + (c0 - first) + 4);
        }
        for (; c0 < end; c0++)
        {
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < n; b++)
            {
                float d = p.Dy[(long)b * f + c0];
                sumDy += d;
                sumDyXhat += d * ((p.X[(long)b * f + c0] - p.Mean[c0]) * p.InvStd[c0]);
            }
            (sums[c0 - first], sums[FeatureGroup + c0 - first]) = (sumDy, sumDyXhat);
        }
        float* scale = stackalloc float[FeatureGroup], mDy = stackalloc float[FeatureGroup], mDyX = stackalloc float[FeatureGroup];
        for (int c = first; c < end; c++) // the totals as DoubleSums.Total gives them: the (empty) vector lanes' 0 plus the tail
            ChannelGradients(ref p, c, 0.0 + sums[c - first], 0.0 + sums[FeatureGroup + c - first], scale + (c - first), mDy + (c - first), mDyX + (c - first));
        if (p.Dx is null) return;
        bool overwrite = p.OverwriteDx;
        var keepMask = overwrite ? Vector256<float>.Zero : Vector256<float>.AllBitsSet;
        var vCount = Vector256.Create((float)count);
        for (int b = 0; b < n; b++)
        {
            float* dy = p.Dy + (long)b * f, x = p.X + (long)b * f, dx = p.Dx + (long)b * f;
            int c = first;
            for (; c + 8 <= end; c += 8)
            {
                var vScale = Vector256.Load(scale + (c - first));
                var old = Vector256.Load(dx + c) & keepMask;
                if (p.Training)
                {
                    var h = (Vector256.Load(x + c) - Vector256.Load(p.Mean + c)) * Vector256.Load(p.InvStd + c);
                    (old + vScale * (vCount * Vector256.Load(dy + c) - Vector256.Load(mDy + (c - first)) - h * Vector256.Load(mDyX + (c - first)))).Store(dx + c);
                }
                else (old + vScale * Vector256.Load(dy + c)).Store(dx + c);
            }
            for (; c < end; c++)
            {
                int i = c - first;
                float old = overwrite ? 0f : dx[c];
                dx[c] = p.Training
                    ? old + scale[i] * (count * dy[c] - mDy[i] - (x[c] - p.Mean[c]) * p.InvStd[c] * mDyX[i])
                    : old + scale[i] * dy[c];
            }
        }
    }

    // Channels a work item of the (N, C, H, W) passes. A channel's values are N runs of H·W floats, C·H·W apart (784 bytes
    // for DCGAN-28's 14×14 maps, 196 for its 7×7), too short for the prefetcher to follow one channel at a time; a group
    // of channels is walked image by image, in memory order (runs of 16·H·W floats), each channel's sums still taken in
    // its own order (images in turn, then positions), so the bits do not change (DCGAN-28's 64×128×14×14 batch norm:
    // forward+backward 3.6 → … ms on 2 threads, `bench ops`).
    private const int ChannelGroup = 16;

    /// <summary>
    /// Channels [16g, 16g + 16) forward: statistics (training: the batch's, moving the running ones; eval: the running
    /// ones), kept for the backward, then y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + eps). x̂ is not stored: the backward
    /// recomputes it from x by the same operations (one write stream less over tensors of millions of elements).
    /// </summary>
    [SkipLocalsInit] // the sums are cleared below; a cleared stack frame per work item showed in profiles
    private static void ForwardChannels(int group, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int n = p.N, channels = p.Channels, spatial = p.Spatial;
        int first = group * ChannelGroup, end = Math.Min(channels, first + ChannelGroup);
        if (p.Training)
        {
            DoubleSums* sums = stackalloc DoubleSums[2 * ChannelGroup]; // Σx of channel first + i at i, Σx² at ChannelGroup + i
            for (int i = 0; i < 2 * ChannelGroup; i++) sums[i] = default;
            for (int b = 0; b < n; b++)
                for (int c = first; c < end; c++)
                {
                    var (sum, sumSq) = (sums[c - first], sums[ChannelGroup + c - first]);
                    float* x = p.X + (long)(b * channels + c) * spatial;
                    int i = 0;
                    for (; i <= spatial - 8; i += 8)
                    {
                        var v = Vector256.Load(x + i);
                        sum.Add(v);
                        sumSq.AddSquares(v);
                    }
                    for (; i < spatial; i++) { sum.Tail += x[i]; sumSq.Tail += (double)x[i] * x[i]; }
                    (sums[c - first], sums[ChannelGroup + c - first]) = (sum, sumSq);
                }
            for (int c = first; c < end; c++) Statistics(ref p, c, sums[c - first].Total(), sums[ChannelGroup + c - first].Total());
        }
        else for (int c = first; c < end; c++) Statistics(ref p, c, 0, 0);
        for (int b = 0; b < n; b++)
            for (int c = first; c < end; c++)
            {
                float inv = p.InvStd[c], mu = p.Mean[c], g = p.Gamma is null ? 1f : p.Gamma[c], bt = p.Beta is null ? 0f : p.Beta[c];
                var (vMu, vInv, vG, vBt) = (Vector256.Create(mu), Vector256.Create(inv), Vector256.Create(g), Vector256.Create(bt));
                long start = (long)(b * channels + c) * spatial;
                float* x = p.X + start, y = p.Y + start;
                int i = 0;
                // Each element rounds as the scalar formula does: a subtraction, two products and a sum, none fused.
                for (; i <= spatial - 8; i += 8)
                {
                    var h = (Vector256.Load(x + i) - vMu) * vInv;
                    (vG * h + vBt).Store(y + i);
                }
                for (; i < spatial; i++)
                {
                    float h = (x[i] - mu) * inv;
                    y[i] = g * h + bt;
                }
            }
    }

    // Channel c's μ and 1/σ for the forward and backward (training: from the batch's sums of x and x², moving the running
    // statistics; eval: the running ones, the sums unused).
    private static void Statistics(ref BatchNormPass p, int c, double sum, double sumOfSquares)
    {
        double mean, variance;
        int count = p.Count;
        if (p.Training)
        {
            mean = sum / count;
            variance = Math.Max(0, sumOfSquares / count - mean * mean);
            float momentum = p.Momentum;
            p.RunningMean[c] = (float)((1 - momentum) * p.RunningMean[c] + momentum * mean);
            p.RunningVar[c] = (float)((1 - momentum) * p.RunningVar[c] + momentum * variance * count / (count - 1));
        }
        else (mean, variance) = (p.RunningMean[c], p.RunningVar[c]);
        p.InvStd[c] = (float)(1 / Math.Sqrt(variance + p.Eps));
        p.Mean[c] = (float)mean;
    }

    // Eight double lanes and a scalar tail, summed in an order fixed by the channel's layout alone (not the thread count).
    private struct DoubleSums
    {
        private Vector256<double> _low, _high;
        public double Tail;

        public void Add(Vector256<float> v)
        {
            var (low, high) = Vector256.Widen(v);
            (_low, _high) = (_low + low, _high + high);
        }

        public void AddSquares(Vector256<float> v)
        {
            var (low, high) = Vector256.Widen(v);
            (_low, _high) = (_low + low * low, _high + high * high);
        }

        public readonly double Total() => Vector256.Sum(_low + _high) + Tail;
    }

    /// <summary>
    /// Channels [16g, 16g + 16) backward: dγ += Σ dy·x̂, dβ += Σ dy, and dx += γ·invStd/N·(N·dy − Σdy − x̂·Σ(dy·x̂)) in
    /// training (the batch statistics depend on x too) or γ·invStd·dy in eval (dx = … when OverwriteDx). A null gradient
    /// buffer is not wanted.
    /// </summary>
    [SkipLocalsInit] // the sums are cleared below, and scale, mDys and mDyXs written before they are read
    private static void BackwardChannels(int group, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int n = p.N, channels = p.Channels, spatial = p.Spatial, count = p.Count;
        int first = group * ChannelGroup, end = Math.Min(channels, first + ChannelGroup);
        DoubleSums* sums = stackalloc DoubleSums[2 * ChannelGroup]; // Σdy of channel first + i at i, Σdy·x̂ at ChannelGroup + i
        for (int i = 0; i < 2 * ChannelGroup; i++) sums[i] = default;
        for (int b = 0; b < n; b++)
            for (int c = first; c < end; c++)
            {
                // x̂ exactly as the forward formed it: (x − μ)·invStd, a subtraction and a product, each rounded.
                float mu = p.Mean[c], inv = p.InvStd[c];
                var (vMu, vInv) = (Vector256.Create(mu), Vector256.Create(inv));
                var (sumDy, sumDyXhat) = (sums[c - first], sums[ChannelGroup + c - first]);
                long start = (long)(b * channels + c) * spatial;
                float* dy = p.Dy + start, x = p.X + start;
                int i = 0;
                for (; i <= spatial - 8; i += 8)
                {
                    var d = Vector256.Load(dy + i);
                    sumDy.Add(d);
                    sumDyXhat.Add(d * ((Vector256.Load(x + i) - vMu) * vInv)); // the product rounded to float first, as before
                }
                for (; i < spatial; i++) { sumDy.Tail += dy[i]; sumDyXhat.Tail += dy[i] * ((x[i] - mu) * inv); }
                (sums[c - first], sums[ChannelGroup + c - first]) = (sumDy, sumDyXhat);
            }
        float* scale = stackalloc float[ChannelGroup], mDys = stackalloc float[ChannelGroup], mDyXs = stackalloc float[ChannelGroup];
        for (int c = first; c < end; c++)
            ChannelGradients(ref p, c, sums[c - first].Total(), sums[ChannelGroup + c - first].Total(), scale + (c - first), mDys + (c - first), mDyXs + (c - first));
        if (p.Dx is null) return;
        bool training = p.Training;
        // An overwritten dx adds its terms to zero, which is what an accumulated one held: the same values.
        bool overwrite = p.OverwriteDx;
        var keep = overwrite ? Vector256<float>.Zero : Vector256<float>.AllBitsSet;
        float fCount = count;
        var vCount = Vector256.Create(fCount);
        for (int b = 0; b < n; b++)
            for (int c = first; c < end; c++)
            {
                float mu = p.Mean[c], inv = p.InvStd[c], sc = scale[c - first];
                float mDy = mDys[c - first], mDyX = mDyXs[c - first];
                var (vMu, vInv, vScale, vMDy, vMDyX) = (Vector256.Create(mu), Vector256.Create(inv), Vector256.Create(sc), Vector256.Create(mDy), Vector256.Create(mDyX));
                long start = (long)(b * channels + c) * spatial;
                float* dy = p.Dy + start, x = p.X + start, dx = p.Dx + start;
                int i = 0;
                if (training)
                {
                    for (; i <= spatial - 8; i += 8)
                        ((Vector256.Load(dx + i) & keep) + vScale * (vCount * Vector256.Load(dy + i) - vMDy - (Vector256.Load(x + i) - vMu) * vInv * vMDyX)).Store(dx + i);
                    for (; i < spatial; i++) dx[i] = (overwrite ? 0f : dx[i]) + sc * (count * dy[i] - mDy - (x[i] - mu) * inv * mDyX);
                }
                else
                {
                    for (; i <= spatial - 8; i += 8) ((Vector256.Load(dx + i) & keep) + vScale * Vector256.Load(dy + i)).Store(dx + i);
                    for (; i < spatial; i++) dx[i] = (overwrite ? 0f : dx[i]) + sc * dy[i];
                }
            }
    }
}
