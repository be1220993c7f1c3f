using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class RngTests
{
    [Fact]
    public void BulkFillsDrawTheSameStreamAsSingleDraws()
    {
        Rng a = new(9), b = new(9);
        var bulk = new float[1001];
        a.FillUniform(bulk, -2f, 3f);
        for (int i = 0; i < bulk.Length; i++) Assert.Equal(-2f + 5f * b.NextFloat(), bulk[i]);
        a.FillBernoulli(bulk, 0.8f, 1.25f);
        for (int i = 0; i < bulk.Length; i++) Assert.Equal(b.NextFloat() < 0.8f ? 1.25f : 0f, bulk[i]);
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void CounterMasksAreTheSameDrawnWholeOrInPiecesAndKeepTheirShare()
    {
        const ulong seed = 0xC0FFEE;
        var whole = new float[1000];
        Rng.FillBernoulliAt(seed, 0, whole, 0.8f, 1.25f);
        Assert.All(whole, v => Assert.True(v == 0f || v == 1.25f));
        // Any offset and length (vector blocks of 16 and the scalar tail) gives the same values as the whole draw.
        foreach (int first in new[] { 0, 1, 7, 16, 333 })
            foreach (int length in new[] { 0, 1, 15, 16, 17, 40, 667 - first })
            {
                var piece = new float[length];
                Rng.FillBernoulliAt(seed, first, piece, 0.8f, 1.25f);
                Assert.Equal(whole.AsSpan(first, length).ToArray(), piece);
            }
        var other = new float[1000];
        Rng.FillBernoulliAt(seed + 1, 0, other, 0.8f, 1.25f);
        Assert.NotEqual(whole, other);
        var many = new float[400_000];
        Rng.FillBernoulliAt(99, 0, many, 0.3f, 1f);
        Assert.InRange(many.Average(), 0.297, 0.303);
        // Neighbouring values are independent: P(both kept) ≈ p².
        double both = Enumerable.Range(0, many.Length - 1).Count(i => many[i] == 1f && many[i + 1] == 1f) / (double)(many.Length - 1);
        Assert.InRange(both, 0.09 - 0.003, 0.09 + 0.003);
        Rng.FillBernoulliAt(5, 0, many, 1f, 2f);
        Assert.All(many, v => Assert.Equal(2f, v));
    }

    [Fact]
    public void StateRoundTripReplaysTheStream()
    {
        var rng = new Rng(5);
        rng.NextGaussian();
        var state = rng.GetState();
        float[] first = [rng.NextFloat(), rng.NextGaussian(), rng.NextInt(10)];
        rng.SetState(state);
        Assert.Equal(first, new float[] { rng.NextFloat(), rng.NextGaussian(), rng.NextInt(10) });
        Assert.Throws<ArgumentException>(() => rng.SetState(new ulong[4]));
    }

    [Fact]
    public void DistributionsHaveTheirMoments()
    {
        var rng = new Rng(123);
        var g = new float[200_000];
        rng.FillGaussian(g);
        double mean = g.Average(), variance = g.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
        rng.FillBernoulli(g, 0.3f, 1f);
        Assert.InRange(g.Average(), 0.295, 0.305);
        rng.FillUniform(g, -1, 1);
        Assert.True(g.Min() >= -1 && g.Max() < 1);
        Assert.InRange(g.Select(v => (double)v * v).Average(), 1 / 3.0 - 0.01, 1 / 3.0 + 0.01);
    }

    [Fact]
    public void BulkGaussianIsTheBoxMullerTransformOfItsDraws()
    {
        // Each 64-bit draw gives one pair: u1 = (high 24 bits + 1)·2⁻²⁴, u2 = (bits 8..31)·2⁻²⁴; 16 cosines, then 16 sines.
        Rng bulk = new(42), single = new(42);
        var values = new float[100];
        bulk.FillGaussianBulk(values, 0.5f, 2f);
        var expected = new double[128];
        for (int block = 0; block < 4; block++)
            for (int k = 0; k < 16; k++)
            {
                ulong bits = single.NextUInt64();
                double u1 = ((bits >> 40) + 1) / (double)(1 << 24), u2 = ((bits >> 8) & 0xFFFFFF) / (double)(1 << 24);
                double r = Math.Sqrt(-2 * Math.Log(u1)) * 2;
                expected[block * 32 + k] = 0.5 + r * Math.Cos(2 * Math.PI * u2);
                expected[block * 32 + 16 + k] = 0.5 + r * Math.Sin(2 * Math.PI * u2);
            }
        for (int i = 0; i < values.Length; i++) Assert.True(Math.Abs(values[i] - expected[i]) < 2e-5 * (1 + Math.Abs(expected[i])), $"value {i}: {values[i]} vs {expected[i]}");
        // The last, partial block drew whole: both generators are at the same place.
        Assert.Equal(single.NextUInt64(), bulk.NextUInt64());
        // A shorter fill is the start of a longer one.
        var shorter = new float[37];
        new Rng(42).FillGaussianBulk(shorter, 0.5f, 2f);
        Assert.Equal(values[..37], shorter);
    }

    [Fact]
    public void CounterGaussianIsTheSameDrawnInPiecesAndIsNormal()
    {
        var whole = new float[100_000];
        Rng.FillGaussianAt(77, 0, whole, 0.5f, 2f);
        foreach (var (first, length) in new[] { (0, 0), (0, 31), (32, 1), (64, 100), (16_384, 33_000), (99_968, 32) })
        {
            var piece = new float[length];
            Rng.FillGaussianAt(77, first, piece, 0.5f, 2f);
            Assert.Equal(whole.AsSpan(first, length).ToArray(), piece);
        }
        Assert.Throws<ArgumentException>(() => Rng.FillGaussianAt(77, 16, new float[4]));
        // Block 0 is the Box–Muller transform of counters 0…15 (cosines, then sines).
        var other = new float[32];
        Rng.FillGaussianAt(78, 0, other, 0.5f, 2f);
        Assert.NotEqual(whole[..32], other);
        var g = new float[1_000_000];
        Rng.FillGaussianAt(5, 0, g);
        double mean = g.Average(), variance = g.Select(v => (v - mean) * (v - mean)).Average();
        double kurtosis = g.Select(v => Math.Pow(v - mean, 4)).Average() / (variance * variance);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(variance, 0.995, 1.005);
        Assert.InRange(kurtosis, 2.97, 3.03);
        double correlation = 0; // the two members of a pair, and neighbouring pairs, are uncorrelated
        for (int block = 0; block < g.Length; block += 32)
            for (int k = 0; k < 16; k++) correlation += g[block + k] * g[block + 16 + k] + (k < 15 ? g[block + k] * g[block + k + 1] : 0);
        Assert.InRange(correlation / (g.Length / 32 * 31), -0.005, 0.005);
    }

    [Fact]
    public void BulkGaussianIsNormal()
    {
        var g = new float[1_000_000];
        new Rng(7).FillGaussianBulk(g);
        double mean = g.Average(), variance = g.Select(v => (v - mean) * (v - mean)).Average();
        double kurtosis = g.Select(v => Math.Pow(v - mean, 4)).Average() / (variance * variance);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(variance, 0.995, 1.005);
        Assert.InRange(kurtosis, 2.97, 3.03);
        Assert.True(g.Max(Math.Abs) <= 5.78f);
        // Kolmogorov–Smirnov against Φ: D < 1.95/√n is the 0.1 % critical value.
        Array.Sort(g);
        double d = 0;
        for (int i = 0; i < g.Length; i++)
        {
            double cdf = MathNet.Numerics.Distributions.Normal.CDF(0, 1, g[i]);
            d = Math.Max(d, Math.Max(Math.Abs(cdf - (double)i / g.Length), Math.Abs(cdf - (double)(i + 1) / g.Length)));
        }
        Assert.True(d < 1.95 / Math.Sqrt(g.Length), $"KS distance {d}");
        // The two members of a pair are uncorrelated.
        var pairs = new float[320_000];
        new Rng(8).FillGaussianBulk(pairs);
        double correlation = 0;
        for (int block = 0; block < pairs.Length; block += 32)
            for (int k = 0; k < 16; k++) correlation += pairs[block + k] * pairs[block + 16 + k];
        Assert.InRange(correlation / (pairs.Length / 2), -0.01, 0.01);
    }
}
