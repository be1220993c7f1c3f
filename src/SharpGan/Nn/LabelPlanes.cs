using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// The input layer of a conditional convolutional D: a flat row (C·S·S image values, then a K-wide one-hot label)
/// becomes a (C + K, S, S) stack, the label as K constant planes beside the image channels, so the first convolution
/// sees the class at every position (the cDCGAN input conditioning).
/// </summary>
/// <remarks>Shapes: input (N, C·S·S + K) → output (N, C + K, S, S).</remarks>
public sealed class LabelPlanes : Module
{
    private readonly Tensor _ones;

    /// <summary>Image channels C.</summary>
    public int Channels { get; }

    /// <summary>Image side S.</summary>
    public int Side { get; }

    /// <summary>Classes K.</summary>
    public int Classes { get; }

    /// <summary>Creates the layer.</summary>
    public LabelPlanes(int channels, int side, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(side);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        (Channels, Side, Classes) = (channels, side, classes);
        _ones = new Tensor(1, side * side);
        Array.Fill(_ones.Data, 1f);
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        int n = input.Shape[0], pixels = Channels * Side * Side;
        if (input.Shape.Length != 2 || input.Shape[1] != pixels + Classes)
            throw new ArgumentException($"expected ({n}, {pixels} + {Classes}), got [{Shapes.Format(input.Shape)}]", nameof(input));
        var image = Ops.Reshape(Ops.SliceColumns(input, 0, pixels), n, Channels, Side, Side);
        // (N·K, 1) × (1, S·S): each label value repeated over its plane.
        var planes = Ops.MatMul(Ops.Reshape(Ops.SliceColumns(input, pixels, Classes), n * Classes, 1), _ones);
        return Ops.Concat(1, image, Ops.Reshape(planes, n, Classes, Side, Side));
    }
}
