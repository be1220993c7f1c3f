using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;
using SharpGan.Tensors.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution, NCHW. x (N, C, H, W), weight (F, C, kh, kw), bias (F) or null → y (N, F, Ho, Wo).
    /// Per image: cols = im2col(x_n) (C·kh·kw, Ho·Wo), y_n = W (F, C·kh·kw) · cols.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        if (x.Shape.Length != 4) throw new ArgumentException($"conv2d input must be (N, C, H, W), got [{ShapeUtil.Format(x.Shape)}]", nameof(x));
        if (weight.Shape.Length != 4 || weight.Shape[1] != x.Shape[1])
            throw new ArgumentException($"conv2d weight must be (F, {x.Shape[1]}, kh, kw) for input [{ShapeUtil.Format(x.Shape)}], got [{ShapeUtil.Format(weight.Shape)}]", nameof(weight));
        int n = x.Shape[0], f = weight.Shape[0];
        var g = new ConvGeometry(x.Shape[1], x.Shape[2], x.Shape[3], weight.Shape[2], weight.Shape[3], stride, padding);
        g.Validate();
        CheckBias(bias, f);
        int inSize = g.Channels * g.Height * g.Width, outSize = f * g.Positions, k = g.PatchSize, p = g.Positions;
        var y = Tensor.Uninitialized(n, f, g.OutHeight, g.OutWidth);
        float[] cols = TensorArena.RentFloats(n * k * p); // kept for the weight gradient
        for (int i = 0; i < n; i++)
        {
            var c = cols.AsSpan(i * k * p, k * p);
            Im2Col.Forward(g, x.Data.AsSpan(i * inSize, inSize), c);
            Gemm.Multiply(false, false, f, p, k, 1f, weight.Data, k, c, p, 0f, y.Data.AsSpan(i * outSize, outSize), p);
            if (bias is not null) AddChannelBias(y.Data.AsSpan(i * outSize, outSize), bias.Data, p);
        }
        if (!Tape.ShouldRecord(x, weight, bias)) return y;
        bool gx = x.RequiresGrad, gw = weight.RequiresGrad, gb = bias?.RequiresGrad ?? false;
        Tape.Record(y, () =>
        {
            float[] dcols = gx ? TensorArena.RentFloats(k * p) : [];
            for (int i = 0; i < n; i++)
            {
                var dy = y.Grad.AsSpan(i * outSize, outSize);
                if (gw) Gemm.Multiply(false, true, f, k, p, 1f, dy, p, cols.AsSpan(i * k * p, k * p), p, 1f, weight.EnsureGrad(), k);
                if (gb) AccumulateChannelSums(dy, bias!.EnsureGrad(), p);
                if (gx)
                {
                    Gemm.Multiply(true, false, k, p, f, 1f, weight.Data, k, dy, p, 0f, dcols, p);
                    Im2Col.Backward(g, dcols.AsSpan(0, k * p), x.EnsureGrad().AsSpan(i * inSize, inSize));
                }
            }
        });
        return y;
    }

    /// <summary>
    /// Transposed 2-D convolution (the adjoint of <see cref="Conv2d"/>), NCHW. x (N, Cin, H, W), weight
    /// (Cin, Cout, kh, kw) as in PyTorch, bias (Cout) → y (N, Cout, Ho, Wo), Ho = (H − 1)·s − 2p + kh.
    /// Per image: cols = Wᵀ (Cout·kh·kw, Cin) · x_n (Cin, H·W), y_n = col2im(cols).
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        if (x.Shape.Length != 4) throw new ArgumentException($"conv_transpose2d input must be (N, C, H, W), got [{ShapeUtil.Format(x.Shape)}]", nameof(x));
        if (weight.Shape.Length != 4 || weight.Shape[0] != x.Shape[1])
            throw new ArgumentException($"conv_transpose2d weight must be ({x.Shape[1]}, Cout, kh, kw) for input [{ShapeUtil.Format(x.Shape)}], got [{ShapeUtil.Format(weight.Shape)}]", nameof(weight));
        int n = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], w = x.Shape[3], cout = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int ho = (h - 1) * stride - 2 * padding + kh, wo = (w - 1) * stride - 2 * padding + kw;
        if (ho <= 0 || wo <= 0) throw new ArgumentException($"conv_transpose2d of [{ShapeUtil.Format(x.Shape)}] with kernel {kh}×{kw}, stride {stride}, padding {padding} has no output", nameof(x));
        // The geometry of the forward convolution this is the adjoint of: it maps (Cout, Ho, Wo) to (·, H, W).
        var g = new ConvGeometry(cout, ho, wo, kh, kw, stride, padding);
        g.Validate();
        if (g.OutHeight != h || g.OutWidth != w) throw new ArgumentException($"conv_transpose2d geometry does not invert: {ho}×{wo} convolves back to {g.OutHeight}×{g.OutWidth}, not {h}×{w}", nameof(x));
        CheckBias(bias, cout);
        int k = g.PatchSize, p = h * w, inSize = cin * p, outSize = cout * ho * wo;
        var y = Tensor.Uninitialized(n, cout, ho, wo);
        Array.Clear(y.Data);
        float[] cols = TensorArena.RentFloats(k * p);
        for (int i = 0; i < n; i++)
        {
            Gemm.Multiply(true, false, k, p, cin, 1f, weight.Data, k, x.Data.AsSpan(i * inSize, inSize), p, 0f, cols, p);
            Im2Col.Backward(g, cols.AsSpan(0, k * p), y.Data.AsSpan(i * outSize, outSize));
            if (bias is not null) AddChannelBias(y.Data.AsSpan(i * outSize, outSize), bias.Data, ho * wo);
        }
        if (!Tape.ShouldRecord(x, weight, bias)) return y;
        bool gx = x.RequiresGrad, gw = weight.RequiresGrad, gb = bias?.RequiresGrad ?? false;
        Tape.Record(y, () =>
        {
            float[] dcols = TensorArena.RentFloats(k * p);
            for (int i = 0; i < n; i++)
            {
                var dy = y.Grad.AsSpan(i * outSize, outSize);
                if (gb) AccumulateChannelSums(dy, bias!.EnsureGrad(), ho * wo);
                if (!gx && !gw) continue;
                Im2Col.Forward(g, dy, dcols.AsSpan(0, k * p));
                if (gx) Gemm.Multiply(false, false, cin, p, k, 1f, weight.Data, k, dcols, p, 1f, x.EnsureGrad().AsSpan(i * inSize, inSize), p);
                if (gw) Gemm.Multiply(false, true, cin, k, p, 1f, x.Data.AsSpan(i * inSize, inSize), p, dcols, p, 1f, weight.EnsureGrad(), k);
            }
        });
        return y;
    }

    private static void CheckBias(Tensor? bias, int channels)
    {
        if (bias is not null && (bias.Shape.Length != 1 || bias.Shape[0] != channels))
            throw new ArgumentException($"bias must have shape [{channels}], got [{ShapeUtil.Format(bias.Shape)}]", nameof(bias));
    }

    // y (F, P) += bias[f] on every position of channel f.
    private static void AddChannelBias(Span<float> y, ReadOnlySpan<float> bias, int positions)
    {
        for (int c = 0; c < bias.Length; c++)
        {
            var plane = y.Slice(c * positions, positions);
            TensorPrimitives.Add(plane, bias[c], plane);
        }
    }

    // db[f] += Σ over positions of dy (F, P).
    private static void AccumulateChannelSums(ReadOnlySpan<float> dy, Span<float> db, int positions)
    {
        for (int c = 0; c < db.Length; c++) db[c] += TensorPrimitives.Sum(dy.Slice(c * positions, positions));
    }
}
