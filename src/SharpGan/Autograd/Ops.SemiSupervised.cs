using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>softplus(x) = log(1 + eˣ), elementwise.</summary>
    public static Tensor Softplus(Tensor x) => Activate(x, Activation.Softplus);

    /// <summary>
    /// Weight normalisation (Salimans &amp; Kingma 2016): w = g ⊙ v / ‖v‖, row by row. v is (out, in), g is (out); the
    /// result (out, in) feeds <see cref="Linear"/>. Backward: dg_i = Σ_j dw_ij v_ij / ‖v_i‖ and
    /// dv_i = (g_i / ‖v_i‖)(dw_i − (dw_i · v_i) v_i / ‖v_i‖²), the component of dw along v_i removed.
    /// </summary>
    public static Tensor WeightNorm(Tensor v, Tensor g)
    {
        Shapes.RequireRank2(v, nameof(v));
        int rows = v.Shape[0], columns = v.Shape[1];
        if (g.Shape.Length != 1 || g.Shape[0] != rows) throw new ArgumentException($"g must be [{rows}] for v [{Shapes.Format(v.Shape)}], got [{Shapes.Format(g.Shape)}]", nameof(g));
        var w = Tensor.Uninitialized(rows, columns);
        var norms = Tensor.Uninitialized(rows).Data; // pooled under a tape, like w: the backward reads it before the tape ends
        WeightNormKernels.Forward(v.Data, g.Data, norms, w.Data, rows, columns);
        if (!Tape.ShouldRecord(v, g)) return w;
        bool wantV = v.RequiresGrad, wantG = g.RequiresGrad;
        Tape.Record(w, () =>
        {
            bool overwriteV = false; // a gradient of v that counts as zero is stored into, not cleared first (1.3 M weights in D)
            float[]? dv = wantV ? v.GradToOverwrite(out overwriteV) : null;
            WeightNormKernels.Backward(v.Data, g.Data, norms, w.Grad, wantG ? g.EnsureGrad() : default, dv, rows, columns, overwriteV);
        });
        return w;
    }

    private unsafe struct NoisePass
    {
        public ulong Seed;
        public float Std;
        public int Length;
        public float* X, Y;
    }

    // Values a work item of the noise pass: a multiple of the stream's 32-value blocks, and small, because a value costs
    // about 40 cycles (log, sin, cos) and a layer's 25 000 values would otherwise be one piece on one thread.
    private const int NoisePiece = 2048;

    // Piece i: y = x + σ·ε over [i·NoisePiece, …) for the counter-based ε.
    private static unsafe void AddNoise(int piece, nint state)
    {
        var pass = (NoisePass*)state;
        int start = piece * NoisePiece, end = Math.Min(pass->Length, start + NoisePiece);
        var y = new Span<float>(pass->Y + start, end - start);
        Rng.FillGaussianAt(pass->Seed, start, y, 0f, pass->Std);
        TensorPrimitives.Add(y, new ReadOnlySpan<float>(pass->X + start, end - start), y);
    }

    /// <summary>
    /// x + σ·ε with ε ~ N(0, 1) from the counter-based stream under one seed drawn from <paramref name="rng"/>
    /// (<see cref="Rng.FillGaussianAt"/>): the additive noise layers of Salimans et al.'s D. The gradient passes through
    /// unchanged.
    /// </summary>
    public static unsafe Tensor GaussianNoise(Tensor x, float std, Rng rng)
    {
        if (!(std >= 0f) || float.IsInfinity(std)) throw new ArgumentOutOfRangeException(nameof(std), std, "noise std must be finite and ≥ 0");
        if (std == 0f) return x;
        var y = Tensor.Uninitialized(x.Shape);
        // One seed from the layer's stream; the values are the counter-based stream's, drawn in pieces on every thread (a
        // million an iteration took 10 ms on one thread, a fifth of the semi-supervised iteration).
        var pass = new NoisePass { Seed = rng.NextUInt64(), Std = std, Length = x.Length };
        fixed (float* px = x.Data, py = y.Data)
        {
            pass.X = px;
            pass.Y = py;
            WorkerPool.For((x.Length + NoisePiece - 1) / NoisePiece, &AddNoise, (nint)(&pass));
        }
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () => AddToGradient(x, y.Grad!));
        return y;
    }

    /// <summary>
    /// log Σ_k exp(x_nk) for each row of x (N, K), as (N, 1), with the row maximum subtracted first; the gradient to
    /// row n is dy_n · softmax(x_n).
    /// </summary>
    public static Tensor LogSumExpRows(Tensor x)
    {
        Shapes.RequireRank2(x, nameof(x));
        int rows = x.Shape[0], k = x.Shape[1];
        var y = Tensor.Uninitialized(rows, 1);
        for (int n = 0; n < rows; n++)
        {
            var row = x.Data.AsSpan(n * k, k);
            float max = TensorPrimitives.Max(row), sum = 0f;
            foreach (float v in row) sum += MathF.Exp(v - max);
            y.Data[n] = max + MathF.Log(sum);
        }
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int n = 0; n < rows; n++)
                for (int j = 0; j < k; j++) dx[n * k + j] += y.Grad![n] * MathF.Exp(x.Data[n * k + j] - y.Data[n]);
        });
        return y;
    }

    /// <summary>The mean of each column of x (N, F), as (1, F).</summary>
    public static Tensor ColumnMeans(Tensor x)
    {
        Shapes.RequireRank2(x, nameof(x));
        int rows = x.Shape[0], columns = x.Shape[1];
        var y = Tensor.Uninitialized(1, columns);
        y.Data.AsSpan().Clear();
        for (int n = 0; n < rows; n++) TensorPrimitives.Add(y.Data, x.Data.AsSpan(n * columns, columns), y.Data);
        TensorPrimitives.Multiply(y.Data, 1f / rows, y.Data);
        if (!Tape.ShouldRecord(x)) return y;
        Tape.Record(y, () =>
        {
            var dx = x.EnsureGrad();
            for (int n = 0; n < rows; n++)
            {
                var dst = dx.AsSpan(n * columns, columns);
                TensorPrimitives.MultiplyAdd(y.Grad!, 1f / rows, dst, dst);
            }
        });
        return y;
    }
}
