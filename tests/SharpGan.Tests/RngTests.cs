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
}
