using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Experiments;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The exact quantities of PAPER §2 on a grid, against closed forms.</summary>
public class TheoryTests
{
    private const int Bins = 4000;
    private static readonly double Dx = 12.0 / Bins;
    private static readonly double[] X = Enumerable.Range(0, Bins).Select(i => -6 + (i + 0.5) * Dx).ToArray();
    private static double[] Normal(double mean, double std) => X.Select(x => Toy1D.NormalPdf(x, mean, std)).ToArray();

    [Fact]
    public void JsdIsZeroForEqualAndLog2ForDisjointDensities()
    {
        var p = Normal(0, 0.5);
        Assert.Equal(0, Toy1D.JensenShannon(p, p, Dx), 12);
        double[] Box(double a, double b)
        {
            var box = X.Select(x => x > a && x < b ? 1.0 : 0).ToArray();
            double mass = box.Sum() * Dx;
            return box.Select(v => v / mass).ToArray();
        }
        Assert.Equal(Math.Log(2), Toy1D.JensenShannon(Box(-3, -2), Box(2, 3), Dx), 9);
    }

    [Fact]
    public void ValueAtTheOptimalDiscriminatorIsMinusLog4PlusTwoJsd()
    {
        var pData = Normal(0, 0.5);
        foreach (var (mean, std) in new[] { (0.0, 0.5), (0.4, 0.7), (1.5, 0.3) })
        {
            var pG = Normal(mean, std);
            var dStar = Toy1D.OptimalDiscriminator(pData, pG);
            double value = Toy1D.Value(pData, pG, dStar, Dx), jsd = Toy1D.JensenShannon(pData, pG, Dx);
            Assert.Equal(-Math.Log(4) + 2 * jsd, value, 6);
            // D* maximises V: any other D does worse.
            var other = dStar.Select(d => Math.Clamp(d + 0.05, 0, 1)).ToArray();
            Assert.True(Toy1D.Value(pData, pG, other, Dx) < value);
        }
        Assert.All(Toy1D.OptimalDiscriminator(pData, pData), d => Assert.Equal(0.5, d, 12)); // p_g = p_data ⇒ D* = ½
    }

    [Fact]
    public void ChangeOfVariablesRecoversAKnownGeneratorDensity()
    {
        // x = 0.3 + 0.8·Φ⁻¹(z) with z on a fine grid ⇒ p_g = N(0.3, 0.8²).
        int n = 400_000;
        var gz = new float[n];
        for (int i = 0; i < n; i++) gz[i] = (float)(0.3 + 0.8 * Toy1D.NormalQuantile((i + 0.5) / n));
        var pG = Toy1D.GeneratorDensity(gz, -6, 6, 600);
        var exact = Enumerable.Range(0, 600).Select(i => Toy1D.NormalPdf(-6 + (i + 0.5) * 0.02, 0.3, 0.8)).ToArray();
        for (int i = 0; i < 600; i++) Assert.True(Math.Abs(pG[i] - exact[i]) < 0.01, $"bin {i}: {pG[i]} vs {exact[i]}");
        Assert.True(Toy1D.JensenShannon(exact, pG, 0.02) < 1e-4);
    }

    [Fact]
    public void NormalQuantileAndCentralRegion()
    {
        Assert.Equal(0, Toy1D.NormalQuantile(0.5), 9);
        Assert.Equal(1.959963985, Toy1D.NormalQuantile(0.975), 6);
        Assert.Equal(-2.326347874, Toy1D.NormalQuantile(0.01), 6);
        var (lo, hi) = Toy1D.CentralRegion(Normal(0, 1), Dx);
        Assert.Equal(-1.96, X[lo], 1);
        Assert.Equal(1.96, X[hi - 1], 1);
    }

    [Fact]
    public void InvalidToyParametersAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Toy1DOptions { DataStd = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Toy1DOptions { DataStd = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new MixtureOptions { Layout = "ring9" }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixtureOptions { GeneratorSteps = 0 }.Validate());
    }

    [Fact]
    public void ModeCoverageCountsModesQualityAndBalance()
    {
        var ring = GaussianMixture2D.FromLayout("ring8");
        var all = new float[2 * 800];
        ring.Sample(all, new SharpGan.Tensors.Rng(1));
        var c = ModeCoverage.Measure(ring, all);
        Assert.Equal(8, c.ModesCovered);
        Assert.True(c.HighQualityFraction > 0.98); // a 2-D Gaussian has 1 − e^(−9/2) = 98.9% of its mass within 3σ
        Assert.True(c.KlToUniform < 0.02);
        var collapsed = Enumerable.Range(0, 800).SelectMany(_ => new[] { 2f, 0f }).ToArray(); // every sample on mode 0
        var d = ModeCoverage.Measure(ring, collapsed);
        Assert.Equal(1, d.ModesCovered);
        Assert.Equal(Math.Log(8), d.KlToUniform, 9);
    }
}
