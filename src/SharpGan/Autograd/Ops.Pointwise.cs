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
            float[] dx = TensorArena.RentFloats(x.Length);
            ActivationKernels.Backward(activation, slope, y.Data, y.Grad!, dx.AsSpan(0, x.Length));
            TensorPrimitives.Add(x.EnsureGrad(), dx.AsSpan(0, x.Length), x.EnsureGrad());
        });
        return y;
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
            if (gradA) TensorPrimitives.Add(a.EnsureGrad(), y.Grad!, a.EnsureGrad());
            if (gradB) TensorPrimitives.Add(b.EnsureGrad(), y.Grad!, b.EnsureGrad());
        });
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
        });
        return y;
    }

    /// <summary>s·x.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        var y = Tensor.Uninitialized(x.Shape);
        TensorPrimitives.Multiply(x.Data, s, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => TensorPrimitives.MultiplyAdd(y.Grad!, s, x.EnsureGrad(), x.EnsureGrad()));
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
        });
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
        rng.FillBernoulli(mask.AsSpan(0, x.Length), keepProbability, 1f / keepProbability);
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

    // y = x ⊙ mask (mask already holds 0 or 1/keep); dx += dy ⊙ mask.
    private static Tensor ApplyMask(Tensor x, float[] mask)
    {
        var y = Tensor.Uninitialized(x.Shape);
        var m = mask.AsSpan(0, x.Length);
        TensorPrimitives.Multiply(x.Data, m, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => TensorPrimitives.MultiplyAdd(y.Grad!, mask.AsSpan(0, x.Length), x.EnsureGrad(), x.EnsureGrad()));
        return y;
    }
}
