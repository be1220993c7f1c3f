namespace SharpGan.Gan;

/// <summary>The game D and G play: the paper's, or one of the objectives that followed it (JSON: snake_case names).</summary>
public enum GanObjective
{
    /// <summary>
    /// The paper's: D minimises the binary cross-entropy of real against generated; G follows
    /// <see cref="GeneratorLoss"/> (non-saturating or minimax). D's output is a logit.
    /// </summary>
    Standard,
    /// <summary>
    /// Hinge (Lim &amp; Ye 2017; Miyato et al. 2018): D minimises E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))],
    /// G minimises −E[D(G(z))]. D's output is a score.
    /// </summary>
    Hinge,
    /// <summary>
    /// Wasserstein (Arjovsky et al. 2017): the critic D minimises E[D(G(z))] − E[D(x)], G minimises −E[D(G(z))].
    /// Needs a Lipschitz constraint: a gradient penalty (<see cref="GradientPenalty.WganGp"/>) or spectral normalisation.
    /// </summary>
    Wasserstein,
    /// <summary>
    /// Least squares (Mao et al. 2017, targets 0 / 1): D minimises ½E[(D(x) − 1)²] + ½E[D(G(z))²], G minimises
    /// ½E[(D(G(z)) − 1)²].
    /// </summary>
    LeastSquares,
}

/// <summary>A penalty on D's gradient with respect to its input, added to D's loss (it needs gradients of gradients).</summary>
public enum GradientPenalty
{
    /// <summary>None.</summary>
    None,
    /// <summary>
    /// Gulrajani et al. 2017: λ·E[(‖∇D(x̂)‖ − 1)²] at x̂ = εx + (1 − ε)G(z), ε ~ U(0, 1) per example (λ = 10 in the paper).
    /// </summary>
    WganGp,
    /// <summary>Mescheder et al. 2018: (γ/2)·E[‖∇D(x)‖²] on real data only.</summary>
    R1,
}
