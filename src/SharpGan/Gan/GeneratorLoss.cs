namespace SharpGan.Gan;

/// <summary>Which objective the generator descends (PAPER §1).</summary>
public enum GeneratorLoss
{
    /// <summary>Maximise log D(G(z)), i.e. minimise BCE(D(G(z)), 1): strong gradients early on (the default).</summary>
    NonSaturating,
    /// <summary>Minimise log(1 − D(G(z))), the game as written: saturates while D rejects samples easily.</summary>
    Minimax,
}
