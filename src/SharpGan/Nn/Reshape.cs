using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>Reshapes each batch to the given per-example shape (Flatten is <c>new Reshape(-1)</c>).</summary>
public sealed class Reshape(params int[] exampleShape) : Module
{
    /// <summary>The shape of one example (−1: inferred).</summary>
    public IReadOnlyList<int> ExampleShape => exampleShape;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Reshape(input, [input.Shape[0], .. exampleShape]);
}
