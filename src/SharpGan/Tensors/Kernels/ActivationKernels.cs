using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace SharpGan.Tensors.Kernels;

/// <summary>
/// Forward and backward of <see cref="Activation"/>. The backward is written in terms of the activation's
/// output y (not its input), which is all a fused layer keeps: relu' = [y &gt; 0], sigmoid' = y(1 − y),
/// tanh' = 1 − y², leaky' = [y &gt; 0] + slope·[y ≤ 0] (valid for slope &gt; 0, as y and x share their sign),
/// softplus' = σ(x) = 1 − e^−y (as e^y = 1 + eˣ), taken as −expm1(−y) so that it stays exact where y is tiny.
/// </summary>
internal static unsafe class ActivationKernels
{
    /// <summary>y = f(x), elementwise, on all threads for large tensors; x and y may be the same span.</summary>
    public static void Forward(Activation activation, float slope, ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException("destination too short", nameof(y));
        fixed (float* px = x, py = y)
        {
            var pass = new Pass { Activation = activation, Slope = slope, Y = px, Dy = py };
            if (activation == Activation.Softplus) ParallelRanges.CostlyElements(x.Length, &ForwardPiece, (nint)(&pass));
            else ParallelRanges.Elements(x.Length, &ForwardPiece, (nint)(&pass));
        }
    }

    /// <summary>
    /// dx = dy · f'(x) computed from y = f(x), or (<paramref name="accumulate"/>) dx += dy · f'(x), on all threads for
    /// large tensors. When writing, dx may alias dy.
    /// </summary>
    public static void Backward(Activation activation, float slope, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool accumulate = false)
    {
        if (dy.Length < y.Length || dx.Length < y.Length) throw new ArgumentException("gradient spans shorter than y", nameof(dx));
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            var pass = new Pass { Activation = activation, Slope = slope, Y = py, Dy = pdy, Dx = pdx, Accumulate = accumulate };
            // Softplus is scalar (log1p and exp, tens of cycles a value): the semi-supervised G's 50 000-value layers
            // ran on one thread below the usual 64 Ki split.
            if (activation == Activation.Softplus) ParallelRanges.CostlyElements(y.Length, &BackwardPiece, (nint)(&pass));
            else ParallelRanges.Elements(y.Length, &BackwardPiece, (nint)(&pass));
        }
    }

    private struct Pass
    {
        public Activation Activation;
        public float Slope;
        public float* Y, Dy, Dx; // the forward pass reads Y as x and writes Dy as y
        public bool Accumulate;
    }

    private static void ForwardPiece(int start, int end, nint state)
    {
        var p = (Pass*)state;
        ForwardRange(p->Activation, p->Slope, new ReadOnlySpan<float>(p->Y + start, end - start), new Span<float>(p->Dy + start, end - start));
    }

    private static void BackwardPiece(int start, int end, nint state)
    {
        var p = (Pass*)state;
        if (!p->Accumulate)
        {
            int n = end - start;
            BackwardRange(p->Activation, p->Slope, new ReadOnlySpan<float>(p->Y + start, n), new ReadOnlySpan<float>(p->Dy + start, n), new Span<float>(p->Dx + start, n));
            return;
        }
        // Accumulating: the product in an L1-sized block on the stack, then added; each element gets the same two roundings
        // as computing the whole product first and adding it after.
        const int Block = 2048;
        float* product = stackalloc float[Block];
        for (int s = start; s < end; s += Block)
        {
            int n = Math.Min(Block, end - s);
            var into = new Span<float>(product, n);
            var dx = new Span<float>(p->Dx + s, n);
            BackwardRange(p->Activation, p->Slope, new ReadOnlySpan<float>(p->Y + s, n), new ReadOnlySpan<float>(p->Dy + s, n), into);
            TensorPrimitives.Add(dx, into, dx);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ForwardRange(Activation activation, float slope, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (activation)
        {
            case Activation.Identity: if (!x.Overlaps(y)) x.CopyTo(y); break;
            case Activation.ReLU: if (!TryMap512<ReluFunction>(x, y)) TensorPrimitives.Max(x, 0f, y); break;
            case Activation.LeakyReLU: LeakyForward(slope, x, y); break;
            case Activation.Sigmoid: if (!TryMap512<SigmoidFunction>(x, y)) TensorPrimitives.Sigmoid(x, y); break;
            case Activation.Tanh: TensorPrimitives.Tanh(x, y); break;
            // max(x, 0) + log1p(e^−|x|): no overflow for large x, no cancellation for very negative x.
            case Activation.Softplus: for (int i = 0; i < x.Length; i++) y[i] = MathF.Max(x[i], 0f) + float.LogP1(MathF.Exp(-MathF.Abs(x[i]))); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void BackwardRange(Activation activation, float slope, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int i = 0, n = y.Length, w = Vector<float>.Count;
        switch (activation)
        {
            case Activation.Identity:
                if (!dy.Overlaps(dx)) dy.CopyTo(dx);
                return;
            case Activation.ReLU:
                for (; i <= n - w; i += w)
                {
                    var vy = new Vector<float>(y[i..]);
                    Vector.ConditionalSelect(Vector.GreaterThan(vy, Vector<float>.Zero), new Vector<float>(dy[i..]), Vector<float>.Zero).CopyTo(dx[i..]);
                }
                for (; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0f;
                return;
            case Activation.LeakyReLU:
                var vs = new Vector<float>(slope);
                for (; i <= n - w; i += w)
                {
                    var vy = new Vector<float>(y[i..]);
                    var vd = new Vector<float>(dy[i..]);
                    Vector.ConditionalSelect(Vector.GreaterThan(vy, Vector<float>.Zero), vd, vd * vs).CopyTo(dx[i..]);
                }
                for (; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : slope * dy[i];
                return;
            case Activation.Sigmoid:
                for (; i <= n - w; i += w)
                {
                    var vy = new Vector<float>(y[i..]);
                    (new Vector<float>(dy[i..]) * vy * (Vector<float>.One - vy)).CopyTo(dx[i..]);
                }
                for (; i < n; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
                return;
            case Activation.Tanh:
                for (; i <= n - w; i += w)
                {
                    var vy = new Vector<float>(y[i..]);
                    (new Vector<float>(dy[i..]) * (Vector<float>.One - vy * vy)).CopyTo(dx[i..]);
                }
                for (; i < n; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
                return;
            case Activation.Softplus:
                for (; i < n; i++) dx[i] = dy[i] * -float.ExpM1(-y[i]);
                return;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "unknown activation");
        }
    }

    // ReLU and sigmoid by the formulas TensorPrimitives vectorises (max(x, 0); 1 / (1 + e^−x)), bit for bit the same
    // values, in a method compiled fully optimised on its first call. A one-shot command (sampling 10 000 images) calls
    // the library a handful of times, each over millions of elements, so the library never leaves its first-tier code,
    // where the vector Exp is a call rather than inlined: the paper G's sigmoid took 120 ms of CPU of a 10 000-sample
    // draw. Shorter spans and machines without 512-bit vectors take the library.
    private interface IVectorFunction
    {
        static abstract Vector512<float> Apply(Vector512<float> x);
    }

    private readonly struct ReluFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);
    }

    private readonly struct SigmoidFunction : IVectorFunction
    {
        public static Vector512<float> Apply(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));
    }

    /// <summary>y = f(x) by 512-bit vectors; false (nothing written) when the span is shorter than one vector or the
    /// machine has none. x and y may be the same span.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool TryMap512<TFunction>(ReadOnlySpan<float> x, Span<float> y) where TFunction : struct, IVectorFunction
    {
        int n = x.Length, w = Vector512<float>.Count;
        if (!Vector512.IsHardwareAccelerated || n < w) return false;
        ref float px = ref MemoryMarshal.GetReference(x), py = ref MemoryMarshal.GetReference(y);
        // The last, possibly overlapping, vector is read before any store: in place, the loop overwrites its first lanes.
        var last = Vector512.LoadUnsafe(ref px, (nuint)(n - w));
        for (int i = 0; i <= n - w; i += w) TFunction.Apply(Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        TFunction.Apply(last).StoreUnsafe(ref py, (nuint)(n - w));
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void LeakyForward(float slope, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0, n = x.Length, w = Vector<float>.Count;
        var vs = new Vector<float>(slope);
        for (; i <= n - w; i += w)
        {
            var vx = new Vector<float>(x[i..]);
            Vector.ConditionalSelect(Vector.GreaterThan(vx, Vector<float>.Zero), vx, vx * vs).CopyTo(y[i..]);
        }
        for (; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
    }
}
