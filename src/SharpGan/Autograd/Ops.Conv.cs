using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;
using SharpGan.Tensors.Kernels;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>
    /// 2-D convolution, NCHW. x (N, C, H, W), weight (F, C, kh, kw), bias (F) or null → y (N, F, Ho, Wo).
    /// The whole batch is one GEMM: cols (C·kh·kw, Ho·Wo·N) holds every image's im2col with the batch innermost
    /// (<see cref="BatchInnerIm2Col"/>), and Y (F, Ho·Wo·N) = W (F, C·kh·kw) · cols, then Y is transposed to NCHW.
    /// </summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        if (x.Shape.Length != 4) throw new ArgumentException($"conv2d input must be (N, C, H, W), got [{Shapes.Format(x.Shape)}]", nameof(x));
        if (weight.Shape.Length != 4 || weight.Shape[1] != x.Shape[1])
            throw new ArgumentException($"conv2d weight must be (F, {x.Shape[1]}, kh, kw) for input [{Shapes.Format(x.Shape)}], got [{Shapes.Format(weight.Shape)}]", nameof(weight));
        int n = x.Shape[0], f = weight.Shape[0];
        var g = new ConvGeometry(x.Shape[1], x.Shape[2], x.Shape[3], weight.Shape[2], weight.Shape[3], stride, padding);
        g.Validate();
        CheckBias(bias, f);
        // Batch-innermost layouts (BatchInnerIm2Col): x as (C, H·W, N), cols (C·kh·kw, Ho·Wo·N), Y (F, Ho·Wo·N).
        int inSize = g.Channels * g.Height * g.Width, k = g.PatchSize, p = g.Positions, np = n * p;
        float[] xT = TensorArena.RentFloats(inSize * n);
        BatchInnerIm2Col.Transpose(x.Data, xT, n, g.Channels, g.Height * g.Width);
        float[] cols = TensorArena.RentFloats(k * np); // kept for the weight gradient
        BatchInnerIm2Col.Forward(g, xT, cols, n);
        float[] wide = TensorArena.RentFloats(f * np);
        Gemm.Multiply(false, false, f, np, k, 1f, weight.Data, k, cols, np, 0f, wide, np);
        var y = Tensor.Uninitialized(n, f, g.OutHeight, g.OutWidth);
        BatchInnerIm2Col.TransposeBack(wide, y.Data, n, f, p, accumulate: false);
        if (bias is not null) ChannelKernels.AddBias(y.Data, bias.Data, n, p);
        if (!Tape.ShouldRecord(x, weight, bias)) return y;
        bool gx = x.RequiresGrad, gw = weight.RequiresGrad, gb = bias?.RequiresGrad ?? false;
        Tape.Record(y, () =>
        {
            if (gb) ChannelKernels.AccumulateSums(y.Grad!, bias!.EnsureGrad(), n, p);
            if (!gx && !gw) return;
            BatchInnerIm2Col.Transpose(y.Grad!, wide, n, f, p); // dY (F, Ho·Wo·N)
            if (gw) GemmIntoGrad(weight, false, true, f, k, np, wide, np, cols, np);
            if (!gx) return;
            Gemm.Multiply(true, false, k, np, f, 1f, weight.Data, k, wide, np, 0f, cols, np); // cols is free now: dcols
            BatchInnerIm2Col.Backward(g, cols, xT, n); // xT is free too: dx as (C, H·W, N)
            float[] dx = x.GradToOverwrite(out bool overwrite);
            BatchInnerIm2Col.TransposeBack(xT, dx, n, g.Channels, g.Height * g.Width, accumulate: !overwrite);
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            if (gb) sink.Add(bias!, ChannelSum(dy));
            if (gx) sink.Add(x, Conv2dInputGradient(dy, weight, g.Height, g.Width, stride, padding));
            if (gw) sink.Add(weight, Conv2dWeightGradient(x, dy, g.KernelH, g.KernelW, stride, padding));
        } : null);
        return y;
    }

    /// <summary>
    /// Transposed 2-D convolution (the adjoint of <see cref="Conv2d"/>), NCHW. x (N, Cin, H, W), weight
    /// (Cin, Cout, kh, kw) as in PyTorch, bias (Cout) → y (N, Cout, Ho, Wo), Ho = (H − 1)·s − 2p + kh.
    /// One GEMM for the batch: cols (Cout·kh·kw, H·W·N) = Wᵀ · X (Cin, H·W·N), then col2im, batch innermost
    /// (<see cref="BatchInnerIm2Col"/>), and a transpose to NCHW.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor x, Tensor weight, Tensor? bias, int stride = 1, int padding = 0)
    {
        if (x.Shape.Length != 4) throw new ArgumentException($"conv_transpose2d input must be (N, C, H, W), got [{Shapes.Format(x.Shape)}]", nameof(x));
        if (weight.Shape.Length != 4 || weight.Shape[0] != x.Shape[1])
            throw new ArgumentException($"conv_transpose2d weight must be ({x.Shape[1]}, Cout, kh, kw) for input [{Shapes.Format(x.Shape)}], got [{Shapes.Format(weight.Shape)}]", nameof(weight));
        int n = x.Shape[0], cin = x.Shape[1], h = x.Shape[2], w = x.Shape[3], cout = weight.Shape[1], kh = weight.Shape[2], kw = weight.Shape[3];
        int ho = (h - 1) * stride - 2 * padding + kh, wo = (w - 1) * stride - 2 * padding + kw;
        if (ho <= 0 || wo <= 0) throw new ArgumentException($"conv_transpose2d of [{Shapes.Format(x.Shape)}] with kernel {kh}×{kw}, stride {stride}, padding {padding} has no output", nameof(x));
        // The geometry of the forward convolution this is the adjoint of: it maps (Cout, Ho, Wo) to (·, H, W).
        var g = new ConvGeometry(cout, ho, wo, kh, kw, stride, padding);
        g.Validate();
        if (g.OutHeight != h || g.OutWidth != w) throw new ArgumentException($"conv_transpose2d geometry does not invert: {ho}×{wo} convolves back to {g.OutHeight}×{g.OutWidth}, not {h}×{w}", nameof(x));
        CheckBias(bias, cout);
        // Batch-innermost layouts (BatchInnerIm2Col): X (Cin, H·W·N), cols (Cout·kh·kw, H·W·N), y as (Cout, Ho·Wo, N).
        int k = g.PatchSize, p = h * w, np = n * p, outSize = cout * ho * wo;
        float[] xWide = TensorArena.RentFloats(cin * np);
        BatchInnerIm2Col.Transpose(x.Data, xWide, n, cin, p); // kept for the weight gradient
        float[] cols = TensorArena.RentFloats(k * np);
        Gemm.Multiply(true, false, k, np, cin, 1f, weight.Data, k, xWide, np, 0f, cols, np);
        float[] yT = TensorArena.RentFloats(outSize * n);
        BatchInnerIm2Col.Backward(g, cols, yT, n);
        var y = Tensor.Uninitialized(n, cout, ho, wo);
        BatchInnerIm2Col.TransposeBack(yT, y.Data, n, cout, ho * wo, accumulate: false);
        if (bias is not null) ChannelKernels.AddBias(y.Data, bias.Data, n, ho * wo);
        if (!Tape.ShouldRecord(x, weight, bias)) return y;
        bool gx = x.RequiresGrad, gw = weight.RequiresGrad, gb = bias?.RequiresGrad ?? false;
        Tape.Record(y, () =>
        {
            if (gb) ChannelKernels.AccumulateSums(y.Grad!, bias!.EnsureGrad(), n, ho * wo);
            if (!gx && !gw) return;
            BatchInnerIm2Col.Transpose(y.Grad!, yT, n, cout, ho * wo); // dy as (Cout, Ho·Wo, N)
            BatchInnerIm2Col.Forward(g, yT, cols, n); // dcols
            if (gw) GemmIntoGrad(weight, false, true, cin, k, np, xWide, np, cols, np);
            if (!gx) return;
            Gemm.Multiply(false, false, cin, np, k, 1f, weight.Data, k, cols, np, 0f, xWide, np); // dX (Cin, H·W·N)
            float[] dx = x.GradToOverwrite(out bool overwrite);
            BatchInnerIm2Col.TransposeBack(xWide, dx, n, cin, p, accumulate: !overwrite);
        }, Tape.SecondOrder ? (dy, sink) =>
        {
            // y is the input gradient of a convolution of y's shape with this weight, so its backward is that convolution.
            if (gb) sink.Add(bias!, ChannelSum(dy));
            if (gx) sink.Add(x, Conv2d(dy, weight, null, stride, padding));
            if (gw) sink.Add(weight, Conv2dWeightGradient(dy, x, kh, kw, stride, padding));
        } : null);
        return y;
    }

    private static void CheckBias(Tensor? bias, int channels)
    {
        if (bias is not null && (bias.Shape.Length != 1 || bias.Shape[0] != channels))
            throw new ArgumentException($"bias must have shape [{channels}], got [{Shapes.Format(bias.Shape)}]", nameof(bias));
    }

    // (N, C, P) → (C, N·P): channels outermost, so a batch multiplies as one matrix.
    private static void ToWide(ReadOnlySpan<float> batch, Span<float> wide, int n, int c, int p)
    {
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++) batch.Slice((i * c + ch) * p, p).CopyTo(wide.Slice(ch * n * p + i * p, p));
    }

    // (C, N·P) → (N, C, P).
    private static void FromWide(ReadOnlySpan<float> wide, Span<float> batch, int n, int c, int p)
    {
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++) wide.Slice(ch * n * p + i * p, p).CopyTo(batch.Slice((i * c + ch) * p, p));
    }
}
