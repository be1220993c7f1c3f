using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

public static unsafe partial class Ops
{
    /// <summary>
    /// Batch normalisation over (N, F) or (N, C, H, W): per channel c, x̂ = (x − μ_c)/√(σ²_c + eps), y = γ_c·x̂ + β_c.
    /// Training: μ, σ² (biased) from the batch, and the running statistics move by <paramref name="momentum"/>
    /// (PyTorch's convention: running ← (1 − m)·running + m·batch, with the unbiased variance). Eval: the running
    /// statistics are used and nothing is updated. gamma/beta may be null (affine = false).
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? gamma, Tensor? beta, Tensor runningMean, Tensor runningVar, bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (x.Shape.Length is not (2 or 4)) throw new ArgumentException($"batch norm input must be (N, F) or (N, C, H, W), got [{Shapes.Format(x.Shape)}]", nameof(x));
        int n = x.Shape[0], channels = x.Shape[1], spatial = x.Shape.Length == 4 ? x.Shape[2] * x.Shape[3] : 1, count = n * spatial;
        foreach (var (t, name) in new[] { (gamma, "gamma"), (beta, "beta"), (runningMean, "runningMean"), (runningVar, "runningVar") })
            if (t is not null && (t.Shape.Length != 1 || t.Shape[0] != channels))
                throw new ArgumentException($"{name} must have shape [{channels}] for input [{Shapes.Format(x.Shape)}], got [{Shapes.Format(t.Shape)}]", name);
        if (training && count < 2) throw new ArgumentException($"batch norm in training mode needs more than one value per channel, input is [{Shapes.Format(x.Shape)}]", nameof(x));
        if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be positive");
        if (!(momentum is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");

        var y = Tensor.Uninitialized(x.Shape);
        float[] mean = TensorArena.RentFloats(channels), invStd = TensorArena.RentFloats(channels); // as normalised with
        var pass = new BatchNormPass
        {
            N = n, Channels = channels, Spatial = spatial, Count = count, Training = training, Momentum = momentum, Eps = eps,
        };
        BatchNormKernels.Run(ref pass, x.Data, y.Data, mean, invStd, gamma?.Data, beta?.Data, runningMean.Data, runningVar.Data,
            null, null, null, null, forward: true);
        if (!Tape.ShouldRecord(x, gamma ?? x, beta)) return y;
        bool gx = x.RequiresGrad, gg = gamma?.RequiresGrad ?? false, gb = beta?.RequiresGrad ?? false;
        // Eval mode's mean as the forward used it: a later training-mode call may move the running statistics.
        float[] meanUsed = Tape.SecondOrder && !training ? (float[])runningMean.Data.Clone() : [];
        Tape.Record(y, () =>
        {
            // Gradient buffers are made before the channels run side by side; each channel writes only its own entries.
            var backward = pass;
            float[]? dx = null;
            if (gx) dx = x.GradToOverwrite(out backward.OverwriteDx); // a gradient that counts as zero is stored, not cleared and added to
            BatchNormKernels.Run(ref backward, x.Data, null, mean, invStd, gamma?.Data, null, null, null, y.Grad!,
                dx, gg ? gamma!.EnsureGrad() : null, gb ? beta!.EnsureGrad() : null, forward: false);
        }, Tape.SecondOrder ? (dy, sink) => BatchNormGraphBackward(x, gamma, beta, dy, training, eps, meanUsed, invStd, (gx, gg, gb), sink) : null);
        return y;
    }

    /// <summary>
    /// Batch norm's backward written in ops. Training: the batch statistics are recomputed from x in ops, since x̂ and
    /// 1/σ depend on x, and dx = γ·(1/σ)/N·(N·dy − Σdy − x̂·Σ(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy (per channel).
    /// Eval: the statistics are constants (those the forward used), so dx = γ·(1/σ)·dy.
    /// </summary>
    private static void BatchNormGraphBackward(Tensor x, Tensor? gamma, Tensor? beta, Tensor dy, bool training, float eps,
        float[] runningMean, float[] inverseStd, (bool X, bool Gamma, bool Beta) wants, GradientSink sink)
    {
        int channels = x.Shape[1], count = x.Length / channels;
        Tensor PerChannel(Tensor v) => BroadcastChannels(v, x.Shape);
        Tensor scale, xhat;
        if (training)
        {
            var centered = Add(x, Scale(PerChannel(Scale(ChannelSum(x), 1f / count)), -1f));
            var inverse = Pow(AddScalar(Scale(ChannelSum(Multiply(centered, centered)), 1f / count), eps), -0.5f);
            xhat = Multiply(centered, PerChannel(inverse));
            scale = gamma is null ? inverse : Multiply(gamma, inverse);
        }
        else
        {
            var inverse = Tensor.FromArray(inverseStd[..channels], channels);
            var negatedMean = Tensor.FromArray([.. runningMean.Select(m => -m)], channels);
            xhat = Multiply(Add(x, PerChannel(negatedMean)), PerChannel(inverse));
            scale = gamma is null ? inverse : Multiply(gamma, inverse);
        }
        var sumDy = ChannelSum(dy);
        var sumDyXhat = ChannelSum(Multiply(dy, xhat));
        if (wants.Beta) sink.Add(beta!, sumDy);
        if (wants.Gamma) sink.Add(gamma!, sumDyXhat);
        if (!wants.X) return;
        if (!training)
        {
            sink.Add(x, Multiply(dy, PerChannel(scale)));
            return;
        }
        var inner = Add(Scale(dy, count), Scale(Add(PerChannel(sumDy), Multiply(xhat, PerChannel(sumDyXhat))), -1f));
        sink.Add(x, Multiply(PerChannel(Scale(scale, 1f / count)), inner));
    }
}
