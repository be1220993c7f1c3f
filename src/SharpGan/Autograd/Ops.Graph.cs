using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

// The ops that backward passes are written in when they must be differentiable themselves (Tape.Gradients with
// createGraph). Each comes with its adjoint, so the pairs close: ChannelSum ↔ BroadcastChannels, Fill ↔ Sum,
// Gather ↔ Scatter, Narrow ↔ Concat; every one records both a fast backward and a backward in ops, so gradients
// can be taken to any order.
public static partial class Ops
{
    /// <summary>
    /// Per-channel sums: x (N, C) or (N, C, H, W) → (C), Σ over the batch and the positions (a bias's gradient).
    /// </summary>
    public static Tensor ChannelSum(Tensor x)
    {
        var (n, channels, positions) = ChannelLayout(x);
        var y = Tensor.Uninitialized(channels);
        Array.Clear(y.Data);
        ChannelKernels.AccumulateSums(x.Data, y.Data, n, positions);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int i = 0; i < n; i++)
                for (int c = 0; c < channels; c++)
                {
                    var plane = dx.AsSpan((i * channels + c) * positions, positions);
                    TensorPrimitives.Add(plane, y.Grad![c], plane);
                }
        }, Tape.SecondOrder ? (dy, sink) => sink.Add(x, BroadcastChannels(dy, x.Shape)) : null);
        return y;
    }

    /// <summary>
    /// v (C) repeated over a batch: y of <paramref name="shape"/> (N, C) or (N, C, H, W) with y[n, c, …] = v[c]
    /// (the adjoint of <see cref="ChannelSum"/>).
    /// </summary>
    public static Tensor BroadcastChannels(Tensor v, int[] shape)
    {
        var y = Tensor.Uninitialized(shape);
        var (n, channels, positions) = ChannelLayout(y);
        if (v.Shape.Length != 1 || v.Shape[0] != channels)
            throw new ArgumentException($"broadcasting [{Shapes.Format(v.Shape)}] over [{Shapes.Format(shape)}] needs [{channels}]", nameof(v));
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++) y.Data.AsSpan((i * channels + c) * positions, positions).Fill(v.Data[c]);
        if (!Tape.ShouldRecord(v)) return y;
        Tape.Record(y, () => ChannelKernels.AccumulateSums(y.Grad!, v.EnsureGrad(), n, positions),
            (dy, sink) => sink.Add(v, ChannelSum(dy)));
        return y;
    }

    private static (int Batch, int Channels, int Positions) ChannelLayout(Tensor x) => x.Shape.Length switch
    {
        2 => (x.Shape[0], x.Shape[1], 1),
        4 => (x.Shape[0], x.Shape[1], x.Shape[2] * x.Shape[3]),
        _ => throw new ArgumentException($"channel ops take (N, C) or (N, C, H, W), got [{Shapes.Format(x.Shape)}]", nameof(x)),
    };

    /// <summary>A tensor of <paramref name="shape"/> filled with scale·s[0] (the adjoint of a scaled sum).</summary>
    public static Tensor Fill(Tensor s, int[] shape, float scale = 1f)
    {
        RequireScalar(s, nameof(s));
        var y = Tensor.Uninitialized(shape);
        Array.Fill(y.Data, scale * s.Data[0]);
        if (!Tape.ShouldRecord(s)) return y;
        Tape.Record(y, () => s.EnsureGrad()[0] += scale * TensorPrimitives.Sum(y.Grad!),
            (dy, sink) => sink.Add(s, Reduce(dy, scale)));
        return y;
    }

    /// <summary>x·s[0] for a scalar tensor s that may itself need a gradient (a loss's upstream gradient).</summary>
    public static Tensor ScaleBy(Tensor x, Tensor s)
    {
        RequireScalar(s, nameof(s));
        var y = Tensor.Uninitialized(x.Shape);
        TensorPrimitives.Multiply(x.Data, s.Data[0], y.Data);
        if (!Tape.ShouldRecord(x, s)) return y;
        bool gradX = x.RequiresGrad, gradS = s.RequiresGrad;
        Tape.Record(y, () =>
        {
            if (gradX) TensorPrimitives.MultiplyAdd(y.Grad!, s.Data[0], x.EnsureGrad(), x.EnsureGrad());
            if (gradS) s.EnsureGrad()[0] += TensorPrimitives.Dot(y.Grad!, x.Data);
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (gradX) sink.Add(x, ScaleBy(dy, s));
            if (gradS) sink.Add(s, Sum(Multiply(dy, x)));
        } : null);
        return y;
    }

    /// <summary>x + c elementwise.</summary>
    public static Tensor AddScalar(Tensor x, float c)
    {
        var y = Tensor.Uninitialized(x.Shape);
        TensorPrimitives.Add(x.Data, c, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => TensorPrimitives.Add(x.EnsureGrad(), y.Grad!, x.EnsureGrad()), Tape.SecondOrder ? (dy, sink) => sink.Add(x, dy) : null);
        return y;
    }

    /// <summary>
    /// y = Σₖ c[k]·xᵏ elementwise. The derivatives of sigmoid and tanh are polynomials of their outputs
    /// (y − y², 1 − y²), so their backward passes are written with this and differentiate to any order.
    /// </summary>
    public static Tensor Polynomial(Tensor x, params float[] coefficients)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        if (coefficients.Length == 0) throw new ArgumentException("a polynomial needs at least one coefficient", nameof(coefficients));
        var y = Tensor.Uninitialized(x.Shape);
        EvaluatePolynomial(coefficients, x.Data, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        float[] derivative = [.. coefficients.Skip(1).Select((c, k) => c * (k + 1))];
        if (derivative.Length == 0) derivative = [0f];
        Tape.Record(y, () =>
        {
            float[] slope = TensorArena.RentFloats(x.Length);
            EvaluatePolynomial(derivative, x.Data, slope.AsSpan(0, x.Length));
            TensorPrimitives.MultiplyAdd(y.Grad!, slope.AsSpan(0, x.Length), x.EnsureGrad(), x.EnsureGrad());
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (derivative.Any(c => c != 0)) sink.Add(x, Multiply(dy, Polynomial(x, derivative)));
        } : null);
        return y;
    }

    /// <summary>y = xᵖ elementwise (x &gt; 0 where p is not a whole number): √ of a squared gradient norm is p = 0.5.</summary>
    public static Tensor Pow(Tensor x, float exponent)
    {
        var y = Tensor.Uninitialized(x.Shape);
        for (int i = 0; i < x.Length; i++) y.Data[i] = MathF.Pow(x.Data[i], exponent);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int i = 0; i < x.Length; i++) dx[i] += y.Grad![i] * exponent * MathF.Pow(x.Data[i], exponent - 1f);
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (exponent != 0) sink.Add(x, Multiply(dy, Scale(Pow(x, exponent - 1f), exponent)));
        } : null);
        return y;
    }

    /// <summary>Σ over each row: x (N, …) → (N, 1) (a per-sample squared norm from squared gradients).</summary>
    public static Tensor RowSum(Tensor x)
    {
        if (x.Shape.Length < 2) throw new ArgumentException($"RowSum takes (N, …), got [{Shapes.Format(x.Shape)}]", nameof(x));
        var flat = Reshape(x, x.Shape[0], -1);
        var ones = new Tensor(flat.Shape[1], 1);
        Array.Fill(ones.Data, 1f);
        return MatMul(flat, ones);
    }

    /// <summary>
    /// The Euclidean norm of each row: x (N, …) → (N, 1) (WGAN-GP's ‖∇D‖ per sample). A zero row has gradient zero,
    /// as in PyTorch's norm, where a square root's would be infinite.
    /// </summary>
    public static Tensor RowNorm(Tensor x)
    {
        if (x.Shape.Length < 2) throw new ArgumentException($"RowNorm takes (N, …), got [{Shapes.Format(x.Shape)}]", nameof(x));
        int n = x.Shape[0], f = x.Length / n;
        var y = Tensor.Uninitialized(n, 1);
        for (int i = 0; i < n; i++) y.Data[i] = MathF.Sqrt(TensorPrimitives.SumOfSquares(x.Data.AsSpan(i * f, f)));
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int i = 0; i < n; i++)
                if (y.Data[i] > 0) TensorPrimitives.MultiplyAdd(x.Data.AsSpan(i * f, f), y.Grad![i] / y.Data[i], dx.AsSpan(i * f, f), dx.AsSpan(i * f, f));
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            // dx = x ⊙ (dy / ‖x‖) repeated along each row; the repeat is a product with a row of ones.
            var ones = new Tensor(1, f);
            Array.Fill(ones.Data, 1f);
            var perRow = MatMul(Multiply(dy, ReciprocalOrZero(y)), ones);
            sink.Add(x, Reshape(Multiply(perRow, Reshape(x, n, f)), x.Shape));
        } : null);
        return y;
    }

    /// <summary>1/x elementwise, with 0 where x is 0 (so a zero norm passes no gradient).</summary>
    public static Tensor ReciprocalOrZero(Tensor x)
    {
        var y = Tensor.Uninitialized(x.Shape);
        for (int i = 0; i < x.Length; i++) y.Data[i] = x.Data[i] == 0 ? 0f : 1f / x.Data[i];
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int i = 0; i < x.Length; i++) dx[i] -= y.Grad![i] * y.Data[i] * y.Data[i];
        }, Tape.SecondOrder ? (dy, sink) => sink.Add(x, Multiply(dy, Scale(Multiply(y, y), -1f))) : null);
        return y;
    }

    // Horner's rule, elementwise: y = c0 + x·(c1 + x·(c2 + …)).
    private static void EvaluatePolynomial(float[] c, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            float v = c[^1];
            for (int k = c.Length - 2; k >= 0; k--) v = v * x[i] + c[k];
            y[i] = v;
        }
    }

    /// <summary>y[j] = x[index[j]] for j &lt; count: a flat gather (the adjoint of <see cref="Scatter"/>).</summary>
    internal static Tensor Gather(Tensor x, int[] index, int[] shape)
    {
        var y = Tensor.Uninitialized(shape);
        for (int j = 0; j < y.Length; j++) y.Data[j] = x.Data[index[j]];
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int j = 0; j < y.Length; j++) dx[index[j]] += y.Grad![j];
        }, Tape.SecondOrder ? (dy, sink) => sink.Add(x, Scatter(dy, index, x.Shape)) : null);
        return y;
    }

    /// <summary>y of <paramref name="shape"/>, zero but y[index[j]] += v[j]: a flat scatter-add (the adjoint of <see cref="Gather"/>).</summary>
    internal static Tensor Scatter(Tensor v, int[] index, int[] shape)
    {
        var y = Tensor.Uninitialized(shape);
        Array.Clear(y.Data);
        for (int j = 0; j < v.Length; j++) y.Data[index[j]] += v.Data[j];
        if (!Tape.ShouldRecord(v)) return y;
        Tape.Record(y, () =>
        {
            var dv = v.EnsureGrad();
            for (int j = 0; j < v.Length; j++) dv[j] += y.Grad![index[j]];
        }, Tape.SecondOrder ? (dy, sink) => sink.Add(v, Gather(dy, index, v.Shape)) : null);
        return y;
    }

    /// <summary>
    /// The part [start, start + count) of x along <paramref name="axis"/> (a copy): the adjoint of <see cref="Concat"/>,
    /// whose backward in ops it is.
    /// </summary>
    public static Tensor Narrow(Tensor x, int axis, int start, int count)
    {
        if (axis < 0 || axis >= x.Shape.Length) throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis must be in [0, {x.Shape.Length}) for x [{Shapes.Format(x.Shape)}]");
        if (start < 0 || count <= 0 || start + count > x.Shape[axis])
            throw new ArgumentOutOfRangeException(nameof(start), $"[{start}, {start + count}) is outside [0, {x.Shape[axis]}) on axis {axis} of x [{Shapes.Format(x.Shape)}]");
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= x.Shape[d];
        for (int d = axis + 1; d < x.Shape.Length; d++) inner *= x.Shape[d];
        int[] shape = (int[])x.Shape.Clone();
        shape[axis] = count;
        var y = Tensor.Uninitialized(shape);
        int from = x.Shape[axis] * inner, chunk = count * inner;
        for (int o = 0; o < outer; o++) x.Data.AsSpan(o * from + start * inner, chunk).CopyTo(y.Data.AsSpan(o * chunk, chunk));
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int o = 0; o < outer; o++)
            {
                var dst = dx.AsSpan(o * from + start * inner, chunk);
                TensorPrimitives.Add(dst, y.Grad.AsSpan(o * chunk, chunk), dst);
            }
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            // Back into x's shape: zeros on either side of the slice.
            var parts = new List<Tensor>(3);
            if (start > 0) parts.Add(new Tensor(WithAxis(x.Shape, axis, start)));
            parts.Add(dy);
            if (start + count < x.Shape[axis]) parts.Add(new Tensor(WithAxis(x.Shape, axis, x.Shape[axis] - start - count)));
            sink.Add(x, parts.Count == 1 ? dy : Concat(axis, [.. parts]));
        } : null);
        return y;
    }

    private static int[] WithAxis(int[] shape, int axis, int size)
    {
        int[] s = (int[])shape.Clone();
        s[axis] = size;
        return s;
    }

    private static void RequireScalar(Tensor s, string name)
    {
        if (s.Length != 1) throw new ArgumentException($"{name} must be a scalar tensor (one element), got [{Shapes.Format(s.Shape)}]", name);
    }
}
