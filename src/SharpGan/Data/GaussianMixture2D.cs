using SharpGan.Tensors;

namespace SharpGan.Data;

/// <summary>A 2-D Gaussian mixture with equal weights and one σ.</summary>
public sealed record GaussianMixture2D(IReadOnlyList<(double X, double Y)> Means, double Std)
{
    /// <summary>The named layouts.</summary>
    public static GaussianMixture2D FromLayout(string layout) => layout switch
    {
        "ring8" => new(Enumerable.Range(0, 8).Select(i => (2 * Math.Cos(2 * Math.PI * i / 8), 2 * Math.Sin(2 * Math.PI * i / 8))).ToList(), 0.02),
        "grid25" => new(Enumerable.Range(0, 25).Select(i => (-4.0 + 2 * (i % 5), -4.0 + 2 * (i / 5))).ToList(), 0.05),
        _ => throw new ArgumentException($"unknown layout '{layout}': use ring8 or grid25", nameof(layout)),
    };

    /// <summary>Fills (n, 2) points.</summary>
    public void Sample(Span<float> destination, Rng rng)
    {
        for (int i = 0; i < destination.Length / 2; i++)
        {
            var (mx, my) = Means[rng.NextInt(Means.Count)];
            destination[2 * i] = (float)(mx + Std * rng.NextGaussian());
            destination[2 * i + 1] = (float)(my + Std * rng.NextGaussian());
        }
    }
}
