using SharpGan.Data;

namespace SharpGan.Evaluation;

/// <summary>How well samples cover a mixture's modes.</summary>
/// <param name="ModesCovered">Modes with at least 10% of their fair share of high-quality samples.</param>
/// <param name="Modes">Modes in the mixture.</param>
/// <param name="HighQualityFraction">Samples within 3σ of their nearest mode.</param>
/// <param name="KlToUniform">KL(mode histogram of the high-quality samples ‖ uniform over modes), nats (0 = perfectly balanced; log M = all in one mode).</param>
public sealed record ModeCoverage(int ModesCovered, int Modes, double HighQualityFraction, double KlToUniform)
{
    /// <summary>Measures samples (n, 2) against a mixture.</summary>
    public static ModeCoverage Measure(GaussianMixture2D mixture, ReadOnlySpan<float> samples)
    {
        int n = samples.Length / 2, m = mixture.Means.Count;
        var counts = new int[m];
        int good = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0; double bestDist = double.MaxValue;
            for (int k = 0; k < m; k++)
            {
                double dx = samples[2 * i] - mixture.Means[k].X, dy = samples[2 * i + 1] - mixture.Means[k].Y, dist = Math.Sqrt(dx * dx + dy * dy);
                if (dist < bestDist) (bestDist, best) = (dist, k);
            }
            if (bestDist <= 3 * mixture.Std) { counts[best]++; good++; }
        }
        double fair = (double)n / m;
        int covered = counts.Count(c => c >= 0.1 * fair);
        double kl = 0;
        if (good > 0)
            foreach (int c in counts)
                if (c > 0) kl += (double)c / good * Math.Log((double)c / good * m);
        return new ModeCoverage(covered, m, (double)good / n, good > 0 ? kl : Math.Log(m));
    }
}
