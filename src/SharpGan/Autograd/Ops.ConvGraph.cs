using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

// A convolution's two backward maps as ops of their own, so Conv2d's and ConvTranspose2d's backward can be written in
// ops and differentiated again. With y = conv(x, W): the input gradient (dy, W) ↦ dx is ConvTranspose2d's forward
// for an arbitrary output size, and the weight gradient (x, dy) ↦ dW is bilinear; the backward of each is again made
// of Conv2d, Conv2dInputGradient and Conv2dWeightGradient, so the set closes under differentiation.
public static partial class Ops
{
    /// <summary>
    /// The input gradient of a convolution: dy (N, F, Ho, Wo) and weight (F, C, kh, kw) → dx (N, C, H, W) for an
    /// input of <paramref name="height"/>×<paramref name="width"/> (col2im of Wᵀ·dY; rows or columns the forward
    /// convolution never read get zero).
    /// </summary>
    public static Tensor Conv2dInputGradient(Tensor dy, Tensor weight, int height, int width, int stride, int padding)
    {
        var (g, n, f) = GradientGeometry(dy, weight.Shape[0], weight.Shape[1], height, width, weight.Shape[2], weight.Shape[3], stride, padding, nameof(dy));
        var dx = Tensor.Uninitialized(n, g.Channels, height, width);
        Array.Clear(dx.Data);
        AccumulateConvInputGradient(g, n, f, dy.Data, weight.Data, dx.Data);
        if (!Tape.ShouldRecord(dy, weight)) return dx;
        bool gdy = dy.RequiresGrad, gw = weight.RequiresGrad;
        Tape.Record(dx, () =>
        {
            if (gdy) AccumulateConvForward(g, n, f, dx.Grad!, weight.Data, dy.EnsureGrad());
            if (gw) AccumulateConvWeightGradient(g, n, f, dx.Grad!, dy.Data, weight.EnsureGrad());
        }, Tape.SecondOrder ? (d, sink) =>
        {
            if (gdy) sink.Add(dy, Conv2d(d, weight, null, stride, padding));
            if (gw) sink.Add(weight, Conv2dWeightGradient(d, dy, g.KernelH, g.KernelW, stride, padding));
        } : null);
        return dx;
    }

    /// <summary>
    /// The weight gradient of a convolution: x (N, C, H, W) and dy (N, F, Ho, Wo) → dW (F, C, kh, kw) = Σ over the
    /// batch of dY·im2col(x)ᵀ.
    /// </summary>
    public static Tensor Conv2dWeightGradient(Tensor x, Tensor dy, int kernelH, int kernelW, int stride, int padding)
    {
        if (x.Shape.Length != 4) throw new ArgumentException($"x must be (N, C, H, W), got [{Shapes.Format(x.Shape)}]", nameof(x));
        var (g, n, f) = GradientGeometry(dy, dy.Shape.Length == 4 ? dy.Shape[1] : 0, x.Shape[1], x.Shape[2], x.Shape[3], kernelH, kernelW, stride, padding, nameof(dy));
        if (x.Shape[0] != n) throw new ArgumentException($"x has {x.Shape[0]} images but dy has {n}", nameof(dy));
        var dw = Tensor.Uninitialized(f, g.Channels, kernelH, kernelW);
        Array.Clear(dw.Data);
        AccumulateConvWeightGradient(g, n, f, x.Data, dy.Data, dw.Data);
        if (!Tape.ShouldRecord(x, dy)) return dw;
        bool gx = x.RequiresGrad, gdy = dy.RequiresGrad;
        Tape.Record(dw, () =>
        {
            if (gx) AccumulateConvInputGradient(g, n, f, dy.Data, dw.Grad!, x.EnsureGrad());
            if (gdy) AccumulateConvForward(g, n, f, x.Data, dw.Grad!, dy.EnsureGrad());
        }, Tape.SecondOrder ? (d, sink) =>
        {
            if (gx) sink.Add(x, Conv2dInputGradient(dy, d, g.Height, g.Width, stride, padding));
            if (gdy) sink.Add(dy, Conv2d(x, d, null, stride, padding));
        } : null);
        return dw;
    }

    // The forward geometry (input C×H×W, kernel, stride, padding) and checks that dy is (N, F, Ho, Wo) for it.
    private static (ConvGeometry G, int N, int F) GradientGeometry(Tensor dy, int f, int channels, int height, int width, int kh, int kw, int stride, int padding, string name)
    {
        var g = new ConvGeometry(channels, height, width, kh, kw, stride, padding);
        g.Validate();
        if (dy.Shape.Length != 4 || dy.Shape[1] != f || dy.Shape[2] != g.OutHeight || dy.Shape[3] != g.OutWidth)
            throw new ArgumentException($"{name} must be (N, {f}, {g.OutHeight}, {g.OutWidth}) for a {kh}×{kw} convolution of {channels}×{height}×{width} (stride {stride}, padding {padding}), got [{Shapes.Format(dy.Shape)}]", name);
        return (g, dy.Shape[0], f);
    }

    // y (N, F, P) += W (F, k) · im2col(x): the convolution's values, for backward passes (scratch from the arena).
    private static void AccumulateConvForward(ConvGeometry g, int n, int f, ReadOnlySpan<float> x, float[] w, Span<float> y)
    {
        int k = g.PatchSize, p = g.Positions, np = n * p, inSize = g.Channels * g.Height * g.Width;
        float[] cols = TensorArena.RentFloats(k * np), wide = TensorArena.RentFloats(f * np), batch = TensorArena.RentFloats(f * np);
        Im2Col.ForwardBatch(g, x, cols, n);
        Gemm.Multiply(false, false, f, np, k, 1f, w, k, cols, np, 0f, wide, np);
        FromWide(wide, batch, n, f, p);
        System.Numerics.Tensors.TensorPrimitives.Add(y, batch.AsSpan(0, f * np), y);
    }

    // dx (N, C, H, W) += col2im(Wᵀ · dY), dY (F, N·P) regrouped from dy (N, F, P).
    private static void AccumulateConvInputGradient(ConvGeometry g, int n, int f, ReadOnlySpan<float> dy, float[] w, Span<float> dx)
    {
        int k = g.PatchSize, p = g.Positions, np = n * p, inSize = g.Channels * g.Height * g.Width;
        float[] wide = TensorArena.RentFloats(f * np), cols = TensorArena.RentFloats(k * np);
        ToWide(dy, wide, n, f, p);
        Gemm.Multiply(true, false, k, np, f, 1f, w, k, wide, np, 0f, cols, np);
        Im2Col.BackwardBatch(g, cols, dx, n);
    }

    // dW (F, k) += dY (F, N·P) · im2col(x)ᵀ.
    private static void AccumulateConvWeightGradient(ConvGeometry g, int n, int f, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw)
    {
        int k = g.PatchSize, p = g.Positions, np = n * p, inSize = g.Channels * g.Height * g.Width;
        float[] wide = TensorArena.RentFloats(f * np), cols = TensorArena.RentFloats(k * np);
        ToWide(dy, wide, n, f, p);
        Im2Col.ForwardBatch(g, x, cols, n);
        Gemm.Multiply(false, true, f, k, np, 1f, wide, np, cols, np, 1f, dw, k);
    }
}
