using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>The distribution p_z that feeds the generator (PAPER §4: Gaussian, or uniform alternatives).</summary>
public enum NoisePrior
{
    /// <summary>N(0, I).</summary>
    Gaussian,
    /// <summary>U(−√3, √3): zero mean, unit variance.</summary>
    UniformUnitVariance,
    /// <summary>U(−1, 1).</summary>
    UniformSymmetric,
    /// <summary>U(0, 1), as in Figure 1's toy experiment.</summary>
    UniformUnit,
}

/// <summary>Draws noise from a <see cref="NoisePrior"/>.</summary>
public static class NoisePriors
{
    /// <summary>Fills <paramref name="destination"/> with independent draws from the prior.</summary>
    public static void Fill(this NoisePrior prior, Span<float> destination, Rng rng)
    {
        switch (prior)
        {
            case NoisePrior.Gaussian: rng.FillGaussian(destination); break;
            case NoisePrior.UniformUnitVariance: rng.FillUniform(destination, -MathF.Sqrt(3f), MathF.Sqrt(3f)); break;
            case NoisePrior.UniformSymmetric: rng.FillUniform(destination, -1f, 1f); break;
            case NoisePrior.UniformUnit: rng.FillUniform(destination, 0f, 1f); break;
            default: throw new ArgumentOutOfRangeException(nameof(prior), prior, "unknown noise prior");
        }
    }

    /// <summary>
    /// Fills a training minibatch's noise: as <see cref="Fill"/>, except that Gaussian noise is the counter-based,
    /// vectorised Box–Muller of <see cref="Rng.FillGaussianAt"/> under one seed drawn from <paramref name="rng"/> (a
    /// different stream, tails cut at 5.77σ). The per-element double-precision draw took 1.2 ms of the paper MLP's 34 ms
    /// iteration for its 20 000 values; sampling and figures keep <see cref="Fill"/>, so a seed still names the same samples.
    /// </summary>
    public static void FillBatch(this NoisePrior prior, Span<float> destination, Rng rng)
    {
        if (prior == NoisePrior.Gaussian) Rng.FillGaussianAt(rng.NextUInt64(), 0, destination);
        else prior.Fill(destination, rng);
    }
}
