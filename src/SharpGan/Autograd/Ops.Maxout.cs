using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Maxout layer (Goodfellow et al. 2013): z = x·Wᵀ + b with weight (units·pieces, in) laid out
    /// unit-major, then y[:, u] = max over the unit's pieces. x is (B, in), y is (B, units).
    /// Only the winning piece of each unit receives gradient.
    /// </summary>
    public static Tensor Maxout(Tensor x, Tensor weight, Tensor? bias, int units, int pieces)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pieces);
        Shapes.RequireRank2(x, nameof(x));
        Shapes.RequireRank2(weight, nameof(weight));
        int batch = x.Shape[0], inFeatures = x.Shape[1], width = units * pieces;
        if (weight.Shape[0] != width || weight.Shape[1] != inFeatures)
            throw new ArgumentException($"maxout weight must be ({units}·{pieces}, {inFeatures}) = [{width}, {inFeatures}] for x [{Shapes.Format(x.Shape)}], got [{Shapes.Format(weight.Shape)}]", nameof(weight));
        if (bias is not null && (bias.Shape.Length != 1 || bias.Shape[0] != width))
            throw new ArgumentException($"maxout bias must have shape [{width}], got [{Shapes.Format(bias.Shape)}]", nameof(bias));

        float[] z = TensorArena.RentFloats(batch * width);
        ProductPlusBias(x, weight, bias, z.AsSpan(0, batch * width));
        var y = Tensor.Uninitialized(batch, units);
        int[] argmax = TensorArena.RentInts(batch * units);
        MaxoutKernels.Forward(z, y.Data, argmax, batch, units, pieces);
        if (!Tape.ShouldRecord(x, weight, bias)) return y;
        var wants = new LinearGrads(x, weight, bias);
        Tape.Record(y, () =>
        {
            // z is dead after the forward pass: reuse it for dz.
            MaxoutKernels.Backward(y.Grad!, argmax, z.AsSpan(0, batch * width), units, pieces);
            LinearBackward(x, weight, bias, z.AsSpan(0, batch * width), wants);
        }, Tape.SecondOrder ? (dy, sink) => LinearGraphBackward(x, weight, bias, Scatter(dy, argmax, [batch, width]), wants, sink) : null);
        return y;
    }
}
