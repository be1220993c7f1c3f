namespace SharpGan.Tensors.Kernels;

/// <summary>The sizes and settings of one batch-norm call over x (N, C, spatial), shared by its forward and backward.</summary>
internal unsafe struct BatchNormPass
{
    public int N, Channels, Spatial, Count;
    public bool Training;
    public float Momentum, Eps;
    // Set by BatchNormKernels.Run for the duration of a call: the arrays below, pinned.
    public float* X, Y, Xhat, InvStd, Gamma, Beta, RunningMean, RunningVar, Dy, Dx, DGamma, DBeta;
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
    public static void Run(ref BatchNormPass pass, float[] x, float[]? y, float[] xhat, float[] invStd, float[]? gamma, float[]? beta,
        float[]? runningMean, float[]? runningVar, float[]? dy, float[]? dx, float[]? dGamma, float[]? dBeta, delegate*<int, nint, void> body)
    {
        fixed (float* px = x, py = y, pxhat = xhat, pinv = invStd, pg = gamma, pb = beta, prm = runningMean, prv = runningVar)
        fixed (float* pdy = dy, pdx = dx, pdg = dGamma, pdb = dBeta)
        fixed (BatchNormPass* state = &pass)
        {
            pass.X = px; pass.Y = py; pass.Xhat = pxhat; pass.InvStd = pinv; pass.Gamma = pg; pass.Beta = pb;
            pass.RunningMean = prm; pass.RunningVar = prv; pass.Dy = pdy; pass.Dx = pdx; pass.DGamma = pdg; pass.DBeta = pdb;
            if ((long)pass.N * pass.Channels * pass.Spatial >= ParallelFrom) WorkerPool.For(pass.Channels, body, (nint)state);
            else for (int c = 0; c < pass.Channels; c++) body(c, (nint)state);
        }
    }

    /// <summary>
    /// Channel c forward: statistics (training: the batch's, moving the running ones; eval: the running ones), then
    /// x̂ = (x − μ)/√(σ² + eps) and y = γ·x̂ + β.
    /// </summary>
    public static void ForwardChannel(int c, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int n = p.N, channels = p.Channels, spatial = p.Spatial, count = p.Count;
        double mean, variance;
        if (p.Training)
        {
            double sum = 0, sumSq = 0;
            for (int b = 0; b < n; b++)
                for (int i = (b * channels + c) * spatial, e = i + spatial; i < e; i++) { float v = p.X[i]; sum += v; sumSq += (double)v * v; }
            mean = sum / count;
            variance = Math.Max(0, sumSq / count - mean * mean);
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
        for (int b = 0; b < n; b++)
            for (int i = (b * channels + c) * spatial, e = i + spatial; i < e; i++)
            {
                float h = (p.X[i] - mu) * inv;
                p.Xhat[i] = h;
                p.Y[i] = g * h + bt;
            }
    }

    /// <summary>
    /// Channel c backward: dγ += Σ dy·x̂, dβ += Σ dy, and dx += γ·invStd/N·(N·dy − Σdy − x̂·Σ(dy·x̂)) in training (the
    /// batch statistics depend on x too) or γ·invStd·dy in eval. A null gradient buffer is not wanted.
    /// </summary>
    public static void BackwardChannel(int c, nint state)
    {
        ref var p = ref *(BatchNormPass*)state;
        int n = p.N, channels = p.Channels, spatial = p.Spatial, count = p.Count;
        double sumDy = 0, sumDyXhat = 0;
        for (int b = 0; b < n; b++)
            for (int i = (b * channels + c) * spatial, e = i + spatial; i < e; i++) { sumDy += p.Dy[i]; sumDyXhat += p.Dy[i] * p.Xhat[i]; }
        if (p.DGamma is not null) p.DGamma[c] += (float)sumDyXhat;
        if (p.DBeta is not null) p.DBeta[c] += (float)sumDy;
        if (p.Dx is null) return;
        float g = p.Gamma is null ? 1f : p.Gamma[c];
        if (p.Training)
        {
            float scale = g * p.InvStd[c] / count, mDy = (float)sumDy, mDyX = (float)sumDyXhat;
            for (int b = 0; b < n; b++)
                for (int i = (b * channels + c) * spatial, e = i + spatial; i < e; i++) p.Dx[i] += scale * (count * p.Dy[i] - mDy - p.Xhat[i] * mDyX);
        }
        else
        {
            float scale = g * p.InvStd[c];
            for (int b = 0; b < n; b++)
                for (int i = (b * channels + c) * spatial, e = i + spatial; i < e; i++) p.Dx[i] += scale * p.Dy[i];
        }
    }
}
