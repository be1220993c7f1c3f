using SharpGan.Autograd;
using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// Inverted dropout given as a keep probability (the paper's convention: inputs kept with 0.8, hidden
/// units with 0.5). Identity in eval mode. Masks come from the <see cref="Rng"/> given, so a seeded run
/// (and a resumed one, which restores that Rng) draws the same masks.
/// </summary>
public sealed class Dropout : Module
{
    private readonly Rng _rng;

    /// <summary>Probability that an element is kept.</summary>
    public float KeepProbability { get; }

    /// <summary>
    /// Trailing columns of a (rows, columns) input passed through untouched: a conditional D's one-hot label sits
    /// beside its image, and the image's input dropout must not drop (or rescale) the label.
    /// </summary>
    public int PassThroughColumns { get; }

    /// <summary>Creates the layer; <paramref name="passThroughColumns"/> trailing columns are never dropped.</summary>
    public Dropout(float keepProbability, Rng rng, int passThroughColumns = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(passThroughColumns);
        PassThroughColumns = passThroughColumns;
        if (!(keepProbability > 0f && keepProbability <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, "keep probability must be in (0, 1]");
        KeepProbability = keepProbability;
        _rng = rng ?? throw new ArgumentNullException(nameof(rng));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        if (!IsTraining) return input;
        if (PassThroughColumns == 0) return Ops.Dropout(input, KeepProbability, _rng);
        int dropped = input.Shape[1] - PassThroughColumns;
        return Ops.Concat(1, Ops.Dropout(Ops.SliceColumns(input, 0, dropped), KeepProbability, _rng), Ops.SliceColumns(input, dropped, PassThroughColumns));
    }
}
