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

    /// <summary>Pins the arrays (any may be null where the pass does not use it) and runs body for every channel.</summary>
    public static void Run(ref BatchNormPass pass, float[] x, float[]? y, float[] mean, float[] invStd, float[]? gamma, float[]? beta,
        float[]? runningMean, float[]? runningVar, float[]? dy, float[]? dx, float[]? dGamma, float[]? dBeta, delegate*<int, nint, void> body)
    {
        fixed (float* px = x, py = y, pmean = mean, pinv = invStd, pg = gamma, pb = beta, prm = runningMean, prv = runningVar)
        fixed (float* pdy = dy, pdx = dx, pdg = dGamma, pdb = dBeta)
        fixed (BatchNormPass* state = &pass)
        {
            pass.X = px; pass.Y = py; pass.Mean = pmean; pass.InvStd = pinv; pass.Gamma = pg; pass.Beta = pb;
            pass.RunningMean = prm; pass.RunningVar = prv; pass.Dy = pdy; pass.Dx = pdx; pass.DGamma = pdg; pass.DBeta = pdb;
            if ((long)pass.N * pass.Channels * pass.Spatial >= ParallelFrom) WorkerPool.For(pass.Channels, body, (nint)state);
            else for (int c = 0; c < pass.Channels; c++) body(c, (nint)state);
        }
    }

    /// <summary>
    /// Channel c forward: statistics (training: the batch's, moving the running ones; eval: the running ones), kept for
    /// the backward, then y = γ·x̂ + β with x̂ = (x − μ)/√(σ² + eps). x̂ is not stored: the backward recomputes it from x
    /// by the same operations (one write stream less over tensors of millions of elements).
    /// </summary>
    public static void ForwardChannel(int c, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int n = p.N, channels = p.Channels, spatial = p.Spatial, count = p.Count;
        double mean, variance;
        if (p.Training)
        {
            var (sum, sumSq) = (new DoubleSums(), new DoubleSums());
            for (int b = 0; b < n; b++)
            {
                float* x = p.X + (long)(b * channels + c) * spatial;
                int i = 0;
                for (; i <= spatial - 8; i += 8)
                {
                    var v = Vector256.Load(x + i);
                    sum.Add(v);
                    sumSq.AddSquares(v);
                }
                for (; i < spatial; i++) { sum.Tail += x[i]; sumSq.Tail += (double)x[i] * x[i]; }
            }
            mean = sum.Total() / count;
            variance = Math.Max(0, sumSq.Total() / count - mean * mean);
            float momentum = p.Momentum;
            p.RunningMean[c] = (float)((1 - momentum) * p.RunningMean[c] + momentum * mean);
            p.RunningVar[c] = (float)((1 - momentum) * p.RunningVar[c] + momentum * variance * count / (count - 1));
        }
        else
        {
            (mean, variance) = (p.RunningMean[c], p.RunningVar[c]);
        }
        float inv = (float)(1 / Math.Sqrt(variance + p.Eps)), g = p.Gamma is null ? 1f : p.Gamma[c], bt = p.Beta is null ? 0f : p.Beta[c], mu = (float)mean;
        p.InvStd[c] = inv;
        p.Mean[c] = mu;
        var (vMu, vInv, vG, vBt) = (Vector256.Create(mu), Vector256.Create(inv), Vector256.Create(g), Vector256.Create(bt));
        for (int b = 0; b < n; b++)
        {
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
    /// Channel c backward: dγ += Σ dy·x̂, dβ += Σ dy, and dx += γ·invStd/N·(N·dy − Σdy − x̂·Σ(dy·x̂)) in training (the
    /// batch statistics depend on x too) or γ·invStd·dy in eval (dx = … when OverwriteDx). A null gradient buffer is not wanted.
    /// </summary>
    public static void BackwardChannel(int c, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int n = p.N, channels = p.Channels, spatial = p.Spatial, count = p.Count;
        // x̂ exactly as the forward formed it: (x − μ)·invStd, a subtraction and a product, each rounded.
        float mu = p.Mean[c], inv = p.InvStd[c];
        var (vMu, vInv) = (Vector256.Create(mu), Vector256.Create(inv));
        var (sumDy, sumDyXhat) = (new DoubleSums(), new DoubleSums());
        for (int b = 0; b < n; b++)
        {
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
        }
        double totalDy = sumDy.Total(), totalDyXhat = sumDyXhat.Total();
        if (p.DGamma is not null) p.DGamma[c] += (float)totalDyXhat;
        if (p.DBeta is not null) p.DBeta[c] += (float)totalDy;
        if (p.Dx is null) return;
        float g = p.Gamma is null ? 1f : p.Gamma[c];
        bool training = p.Training;
        // An overwritten dx adds its terms to zero, which is what an accumulated one held: the same values.
        var keep = p.OverwriteDx ? Vector256<float>.Zero : Vector256<float>.AllBitsSet;
        float keepScalar = p.OverwriteDx ? 0f : 1f;
        float scale = training ? g * p.InvStd[c] / count : g * p.InvStd[c], mDy = (float)totalDy, mDyX = (float)totalDyXhat, fCount = count;
        var (vScale, vMDy, vMDyX, vCount) = (Vector256.Create(scale), Vector256.Create(mDy), Vector256.Create(mDyX), Vector256.Create(fCount));
        for (int b = 0; b < n; b++)
        {
            long start = (long)(b * channels + c) * spatial;
            float* dy = p.Dy + start, x = p.X + start, dx = p.Dx + start;
            int i = 0;
            if (training)
            {
                for (; i <= spatial - 8; i += 8)
                    ((Vector256.Load(dx + i) & keep) + vScale * (vCount * Vector256.Load(dy + i) - vMDy - (Vector256.Load(x + i) - vMu) * vInv * vMDyX)).Store(dx + i);
                for (; i < spatial; i++) dx[i] = (keepScalar == 0 ? 0f : dx[i]) + scale * (count * dy[i] - mDy - (x[i] - mu) * inv * mDyX);
            }
            else
            {
                for (; i <= spatial - 8; i += 8) ((Vector256.Load(dx + i) & keep) + vScale * Vector256.Load(dy + i)).Store(dx + i);
                for (; i < spatial; i++) dx[i] = (keepScalar == 0 ? 0f : dx[i]) + scale * dy[i];
            }
        }
    }
}
