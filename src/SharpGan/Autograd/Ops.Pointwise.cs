using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>y = f(x) elementwise, any shape.</summary>
    public static Tensor Activate(Tensor x, Activation activation, float slope = 0.2f)
    {
        var y = Tensor.Uninitialized(x.Shape);
        ActivationKernels.Forward(activation, slope, x.Data, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            // Written straight into a gradient that counts as zero (no clearing pass, no read); added to one that holds a sum.
            float[] dx = x.GradToOverwrite(out bool overwrite);
            ActivationKernels.Backward(activation, slope, y.Data, y.Grad!, dx.AsSpan(0, x.Length), accumulate: !overwrite);
        }, Tape.SecondOrder ? (dy, sink) => sink.Add(x, ActivationGraphBackward(activation, slope, y, dy)) : null);
        return y;
    }

    // x's gradient += dy, on all threads; stored, not added, into a gradient that counts as zero.
    private static void AddToGradient(Tensor x, float[] dy)
    {
        float[] dx = x.GradToOverwrite(out bool overwrite);
        RowKernels.AddOrCopy(dy.AsSpan(0, x.Length), dx.AsSpan(0, x.Length), accumulate: !overwrite);
    }

    /// <summary>
    /// dx = dy ⊙ f′ written in ops, from the activation's output y (what the fused ops keep): piecewise-constant
    /// slopes are a fixed mask; sigmoid's y − y² and tanh's 1 − y² are polynomials of y, so they differentiate again.
    /// </summary>
    internal static Tensor ActivationGraphBackward(Activation activation, float slope, Tensor y, Tensor dy) => activation switch
    {
        Activation.Identity => dy,
        Activation.ReLU => ApplyMask(dy, StepMask(y, 0f)),
        Activation.LeakyReLU => ApplyMask(dy, StepMask(y, slope)),
        Activation.Sigmoid => Multiply(dy, Polynomial(y, 0f, 1f, -1f)),
        Activation.Tanh => Multiply(dy, Polynomial(y, 1f, 0f, -1f)),
        _ => throw new NotSupportedException($"{activation} has no second-order backward: it cannot be differentiated twice"),
    };

    // 1 where y > 0 (so x > 0), else the slope below zero.
    private static float[] StepMask(Tensor y, float below)
    {
        float[] mask = TensorArena.RentFloats(y.Length);
        for (int i = 0; i < y.Length; i++) mask[i] = y.Data[i] > 0 ? 1f : below;
        return mask;
    }

    /// <summary>max(x, 0).</summary>
    public static Tensor ReLU(Tensor x) => Activate(x, Activation.ReLU);

    /// <summary>x for x &gt; 0, slope·x otherwise (slope must be positive).</summary>
    public static Tensor LeakyReLU(Tensor x, float slope = 0.2f)
    {
        if (!(slope > 0)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "LeakyReLU slope must be positive");
        return Activate(x, Activation.LeakyReLU, slope);
    }

    /// <summary>1 / (1 + e^−x).</summary>
    public static Tensor Sigmoid(Tensor x) => Activate(x, Activation.Sigmoid);

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor x) => Activate(x, Activation.Tanh);

    /// <summary>a + b, same shapes.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        Shapes.RequireSameShape(a, b, nameof(b));
        var y = Tensor.Uninitialized(a.Shape);
        TensorPrimitives.Add(a.Data, b.Data, y.Data);
        if (!Tape.ShouldRecord(a, b)) return y;
        bool gradA = a.RequiresGrad, gradB = b.RequiresGrad;
        Tape.Record(y, () =>
        {
            if (gradA) AddToGradient(a, y.Grad!);
            if (gradB) AddToGradient(b, y.Grad!);
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (gradA) sink.Add(a, dy);
            if (gradB) sink.Add(b, dy);
        } : null);
        return y;
    }

    /// <summary>a ⊙ b, same shapes.</summary>
    public static Tensor Multiply(Tensor a, Tensor b)
    {
        Shapes.RequireSameShape(a, b, nameof(b));
        var y = Tensor.Uninitialized(a.Shape);
        TensorPrimitives.Multiply(a.Data, b.Data, y.Data);
        if (!Tape.ShouldRecord(a, b)) return y;
        bool gradA = a.RequiresGrad, gradB = b.RequiresGrad;
        Tape.Record(y, () =>
        {
            if (gradA) TensorPrimitives.MultiplyAdd(y.Grad!, b.Data, a.EnsureGrad(), a.EnsureGrad());
            if (gradB) TensorPrimitives.MultiplyAdd(y.Grad!, a.Data, b.EnsureGrad(), b.EnsureGrad());
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (gradA) sink.Add(a, Multiply(dy, b));
            if (gradB) sink.Add(b, Multiply(dy, a));
        } : null);
        return y;
    }

    /// <summary>s·x.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        var y = Tensor.Uninitialized(x.Shape);
        TensorPrimitives.Multiply(x.Data, s, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => TensorPrimitives.MultiplyAdd(y.Grad!, s, x.EnsureGrad(), x.EnsureGrad()), Tape.SecondOrder ? (dy, sink) => sink.Add(x, Scale(dy, s)) : null);
        return y;
    }

    /// <summary>x + bias broadcast over rows: x is (B, F), bias is (F).</summary>
    public static Tensor AddBias(Tensor x, Tensor bias)
    {
        Shapes.RequireRank2(x, nameof(x));
        if (bias.Shape.Length != 1 || bias.Shape[0] != x.Shape[1])
            throw new ArgumentException($"bias must have shape [{x.Shape[1]}] for x [{Shapes.Format(x.Shape)}], got [{Shapes.Format(bias.Shape)}]", nameof(bias));
        var y = Tensor.Uninitialized(x.Shape);
        x.Data.CopyTo(y.Data, 0);
        RowKernels.AddBias(y.Data, bias.Data, x.Shape[0]);
        if (!Tape.ShouldRecord(x, bias)) return y;
        bool gradX = x.RequiresGrad, gradBias = bias.RequiresGrad;
        Tape.Record(y, () =>
        {
            if (gradX) TensorPrimitives.Add(x.EnsureGrad(), y.Grad!, x.EnsureGrad());
            if (gradBias) RowKernels.AccumulateColumnSums(y.Grad!, bias.EnsureGrad(), x.Shape[0]);
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (gradX) sink.Add(x, dy);
            if (gradBias) sink.Add(bias, ChannelSum(dy));
        } : null);
        return y;
    }

    /// <summary>
    /// Inverted dropout: each element is kept with probability <paramref name="keepProbability"/> and scaled
    /// by 1/keep, so eval mode needs no rescaling. keep = 1 returns x itself.
    /// </summary>
    public static Tensor Dropout(Tensor x, float keepProbability, Rng rng)
    {
        CheckKeepProbability(keepProbability);
        ArgumentNullException.ThrowIfNull(rng);
        if (keepProbability == 1f) return x;
        float[] mask = TensorArena.RentFloats(x.Length);
        // Data-parallel: masks are drawn for the whole global batch and this process keeps its rows' (RowShard).
        if (RowShard.Current is { } shard)
        {
            if (x.Shape.Length == 0 || x.Shape[0] != shard.LocalRows)
                throw new InvalidOperationException($"dropout on [{Shapes.Format(x.Shape)}] inside a row shard of {shard.LocalRows} rows");
            shard.FillBernoulli(rng, mask.AsSpan(0, x.Length), x.RowLength, keepProbability, 1f / keepProbability);
        }
        else Rng.FillBernoulliAt(rng.NextUInt64(), 0, mask.AsSpan(0, x.Length), keepProbability, 1f / keepProbability);
        return ApplyMask(x, mask);
    }

    /// <summary>Dropout with a given 0/1 keep mask (same shape as x), scaled by 1/keep: for fixtures and tests.</summary>
    public static Tensor DropoutWithMask(Tensor x, Tensor keepMask, float keepProbability)
    {
        CheckKeepProbability(keepProbability);
        Shapes.RequireSameShape(x, keepMask, nameof(keepMask));
        float[] mask = TensorArena.RentFloats(x.Length);
        TensorPrimitives.Multiply(keepMask.Data, 1f / keepProbability, mask.AsSpan(0, x.Length));
        return ApplyMask(x, mask);
    }

    private static void CheckKeepProbability(float keep)
    {
        if (!(keep > 0f && keep <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keep), keep, "keep probability must be in (0, 1]");
    }

    // y = x ⊙ mask, a fixed mask (dropout's 0 or 1/keep, an activation's slopes); dx += dy ⊙ mask.
    private static Tensor ApplyMask(Tensor x, float[] mask)
    {
        var y = Tensor.Uninitialized(x.Shape);
        var m = mask.AsSpan(0, x.Length);
        RowKernels.Multiply(x.Data, m, y.Data, accumulate: false);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            float[] dx = x.GradToOverwrite(out bool overwrite); // stored into a gradient that counts as zero, not cleared first
            RowKernels.Multiply(y.Grad!.AsSpan(0, x.Length), mask.AsSpan(0, x.Length), dx.AsSpan(0, x.Length), accumulate: !overwrite);
        }, (dy, sink) => sink.Add(x, ApplyMask(dy, mask)));
        return y;
    }
}
