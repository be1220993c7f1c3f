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

    /// <summary>Creates the layer.</summary>
    public Dropout(float keepProbability, Rng rng)
    {
        if (!(keepProbability > 0f && keepProbability <= 1f))
            throw new ArgumentOutOfRangeException(nameof(keepProbability), keepProbability, "keep probability must be in (0, 1]");
        KeepProbability = keepProbability;
        _rng = rng ?? throw new ArgumentNullException(nameof(rng));
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => IsTraining ? Ops.Dropout(input, KeepProbability, _rng) : input;
}
