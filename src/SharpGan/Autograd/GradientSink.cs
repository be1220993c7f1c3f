using SharpGan.Tensors;

namespace SharpGan.Autograd;

/// <summary>
/// Where <see cref="Tape.Gradients"/> collects gradients as tensors while it walks the tape backwards: one gradient per
/// tensor, contributions summed with <see cref="Ops.Add"/> (so, on a graph-building pass, the sum is on the tape too).
/// </summary>
internal sealed class GradientSink(IReadOnlyList<Tensor> wanted)
{
    private readonly Dictionary<Tensor, Tensor> _gradients = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> _wanted = new(wanted, ReferenceEqualityComparer.Instance);

    /// <summary>Adds <paramref name="gradient"/> (same shape as <paramref name="input"/>) to what <paramref name="input"/> has.</summary>
    public void Add(Tensor input, Tensor gradient)
    {
        if (!input.Shape.AsSpan().SequenceEqual(gradient.Shape))
            throw new InvalidOperationException($"internal: gradient of shape [{Shapes.Format(gradient.Shape)}] for a tensor of shape [{Shapes.Format(input.Shape)}]");
        _gradients[input] = _gradients.TryGetValue(input, out var sum) ? Ops.Add(sum, gradient) : gradient;
    }

    /// <summary>
    /// The gradient reached for an op's output, or null when none flows to it. A tensor asked for by the caller keeps
    /// its gradient; any other is dropped, since every op using it comes later on the tape and has been visited.
    /// </summary>
    public Tensor? Take(Tensor output)
    {
        if (!_gradients.TryGetValue(output, out var gradient)) return null;
        if (!_wanted.Contains(output)) _gradients.Remove(output);
        return gradient;
    }

    /// <summary>The gradient of a wanted input: zeros when the output does not depend on it.</summary>
    public Tensor Result(Tensor input) => _gradients.TryGetValue(input, out var gradient) ? gradient : new Tensor(input.Shape);
}
