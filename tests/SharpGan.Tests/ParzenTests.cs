using SharpGan.Evaluation;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class ParzenTests
{
    // log p(x) in double by the definition, one term at a time, with logsumexp done the textbook way.
    private static double BruteForce(float[] x, int row, float[] samples, int n, int d, double sigma)
    {
        var terms = new double[n];
        for (int j = 0; j < n; j++)
        {
            double sq = 0;
            for (int k = 0; k < d; k++) sq += Math.Pow((double)x[row * d + k] - samples[j * d + k], 2);
            terms[j] = -sq / (2 * sigma * sigma);
        }
        double max = terms.Max();
        return max + Math.Log(terms.Sum(t => Math.Exp(t - max))) - Math.Log(n) - d * Math.Log(sigma * Math.Sqrt(2 * Math.PI));
    }

    [Theory]
    [InlineData(0.05)]   // so small that every exp(−d²/2σ²) underflows without the shift
    [InlineData(0.2)]
    [InlineData(1.0)]
    public void MatchesBruteForceDoublePrecision(double sigma)
    {
        var rng = new Rng(8);
        int n = 257, m = 33, d = 49;
        var samples = new float[n * d]; var points = new float[m * d];
        rng.FillUniform(samples, 0, 1); rng.FillUniform(points, 0, 1);
        var ll = ParzenWindow.LogLikelihoods(points, m, samples, n, d, [sigma])[0];
        for (int i = 0; i < m; i++)
        {
            double expected = BruteForce(points, i, samples, n, d, sigma);
            Assert.True(double.IsFinite(ll[i]));
            Assert.True(Math.Abs(ll[i] - expected) <= 1e-4 * Math.Abs(expected) + 1e-3, $"row {i}: {ll[i]} vs {expected}");
        }
    }

    [Fact]
    public void ManySigmasInOnePassEqualEachAlone()
    {
        // The pass over a row stops a vector at the first σ whose terms are negligible; each σ's sums must still be
        // the ones it gets alone, whatever order the grid is given in and at any thread count.
        var rng = new Rng(5);
        int n = 301, m = 23, d = 40;
        var samples = new float[n * d]; var points = new float[m * d];
        rng.FillUniform(samples, 0, 1); rng.FillUniform(points, 0, 1);
        double[] grid = [0.2, 1.0, 0.03, 0.5, 0.1];
        int saved = Engine.Threads;
        double[][] together, oneThread;
        try
        {
            Engine.Threads = 2; together = ParzenWindow.LogLikelihoods(points, m, samples, n, d, grid);
            Engine.Threads = 1; oneThread = ParzenWindow.LogLikelihoods(points, m, samples, n, d, grid);
        }
        finally { Engine.Threads = saved; }
        for (int k = 0; k < grid.Length; k++) Assert.Equal(together[k], oneThread[k]);
        for (int k = 0; k < grid.Length; k++)
            Assert.Equal(ParzenWindow.LogLikelihoods(points, m, samples, n, d, [grid[k]])[0], together[k]);
    }

    // Points and samples near 50 centres in 256 dimensions: each point has ~2 % of the samples in its cluster, the rest
    // far away, as MNIST's test images have a few near samples among many far ones.
    private static (float[] Samples, float[] Points) Clusters(int n, int m, int d, int seed)
    {
        var rng = new Rng((ulong)seed);
        var centres = new float[50 * d];
        rng.FillUniform(centres, 0, 1);
        float[] Draw(int count)
        {
            var rows = new float[count * d];
            var noise = new float[d];
            for (int i = 0; i < count; i++)
            {
                int c = rng.NextInt(50);
                rng.FillUniform(noise, -0.1f, 0.1f);
                for (int k = 0; k < d; k++) rows[i * d + k] = centres[c * d + k] + noise[k];
            }
            return rows;
        }
        return (Draw(n), Draw(m));
    }

    [Fact]
    public void NarrowSigmaScoresOnlyNearbySamplesAndMatchesBruteForce()
    {
        int n = 1200, m = 37, d = 256;
        var (samples, points) = Clusters(n, m, d, 3);
        const double sigma = 0.1;
        var ll = ParzenWindow.NearbyLogLikelihoods(points, m, samples, n, d, sigma, out double share);
        Assert.NotNull(ll);
        Assert.InRange(share, 0.001, 0.05); // pruning happened, and the point's own cluster was kept
        for (int i = 0; i < m; i++)
        {
            double expected = BruteForce(points, i, samples, n, d, sigma);
            Assert.True(Math.Abs(ll![i] - expected) <= 1e-5 * Math.Abs(expected) + 1e-3, $"row {i}: {ll[i]} vs {expected}");
        }
        Assert.Equal(ll, ParzenWindow.LogLikelihoodsAt(points, m, samples, n, d, sigma));
        int saved = Engine.Threads;
        try { Engine.Threads = 1; Assert.Equal(ll, ParzenWindow.NearbyLogLikelihoods(points, m, samples, n, d, sigma, out _)); }
        finally { Engine.Threads = saved; }
    }

    [Fact]
    public void WideSigmaFallsBackToThePlainPass()
    {
        int n = 1100, m = 9, d = 256;
        var (samples, points) = Clusters(n, m, d, 4);
        Assert.Null(ParzenWindow.NearbyLogLikelihoods(points, m, samples, n, d, 1.0, out _)); // everything is within 174σ²
        Assert.Equal(ParzenWindow.LogLikelihoods(points, m, samples, n, d, [1.0])[0], ParzenWindow.LogLikelihoodsAt(points, m, samples, n, d, 1.0));
    }

    [Fact]
    public void NonFiniteSamplesTakeThePlainPass()
    {
        int n = 1100, m = 5, d = 256;
        var (samples, points) = Clusters(n, m, d, 6);
        samples[17] = float.NaN; // a diverged generator's output
        var ll = ParzenWindow.LogLikelihoodsAt(points, m, samples, n, d, 0.1);
        Assert.Equal(ParzenWindow.LogLikelihoods(points, m, samples, n, d, [0.1])[0], ll);
    }

    [Theory]
    [InlineData(500, false)] // fitted on clustered rows
    [InlineData(3, false)]   // fewer rows than the rank: the columns beyond them are zero
    [InlineData(200, true)]  // every row the same: no direction of variance at all
    public void PrincipalSubspaceDistancesNeverExceedFullOnes(int rows, bool identical)
    {
        int d = 256;
        var (fitRows, others) = Clusters(rows, 60, d, 5);
        if (identical) for (int i = 1; i < rows; i++) Array.Copy(fitRows, 0, fitRows, i * d, d);
        var subspace = PrincipalSubspace.Fit(fitRows, rows, d, 64);
        var projected = subspace.Project(others, 60);
        double kept = 0, full = 0;
        for (int i = 0; i < 60; i++)
        for (int j = i + 1; j < 60; j++)
        {
            double a = 0, b = 0;
            for (int k = 0; k < d; k++) a += Math.Pow(others[i * d + k] - others[j * d + k], 2);
            for (int k = 0; k < 64; k++) b += Math.Pow(projected[i * 64 + k] - projected[j * 64 + k], 2);
            Assert.True(b <= a * (1 + 1e-5) + 1e-6, $"pair ({i}, {j}): projected {b} > full {a}");
            kept += b; full += a;
        }
        // Fitted to the clusters, the 64 directions keep most of the distance between them (a random 64 of 256 keeps a quarter).
        if (rows == 500) Assert.True(kept / full > 0.8, $"kept {kept / full:P1}");
    }

    [Fact]
    public void ProtocolMatchesScipy()
    {
        var f = TestUtil.Fixture("parzen");
        float[] Data(string name) => f.Tensors[name].Data;
        var result = ParzenWindow.Evaluate(Data("samples"), 300, Data("valid"), 40, Data("test"), 50, 16);
        Assert.Equal(f.Tensors["best_sigma"].Item(), result.Sigma, 5);
        TestUtil.AssertClose(Data("valid_means"), result.ValidationCurve.Select(c => (float)c.Mean).ToArray(), 1e-4, "validation curve");
        Assert.Equal(f.Tensors["test_mean"].Item(), result.TestMean, 3);
        Assert.Equal(f.Tensors["test_se"].Item(), result.TestStandardError, 3);
        var perRow = ParzenWindow.LogLikelihoods(Data("test"), 50, Data("samples"), 300, 16, [result.Sigma])[0];
        TestUtil.AssertClose(Data("test_ll"), perRow.Select(v => (float)v).ToArray(), 1e-4, "test rows");
    }

    [Fact]
    public void SigmaGridIsThePapers()
    {
        Assert.Equal(10, ParzenWindow.DefaultSigmas.Length);
        Assert.Equal(0.1, ParzenWindow.DefaultSigmas[0], 12);
        Assert.Equal(1.0, ParzenWindow.DefaultSigmas[9], 12);
        Assert.Equal(Math.Pow(10, -1 + 1 / 9.0), ParzenWindow.DefaultSigmas[1], 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => ParzenWindow.LogLikelihoods(new float[4], 1, new float[4], 1, 4, [0.0]));
    }

    [Fact]
    public void NearestNeighbourByGemmMatchesBruteForce()
    {
        var rng = new Rng(2);
        int n = 300, m = 20, d = 30;
        var s = new float[n * d]; var x = new float[m * d];
        rng.FillUniform(s, 0, 1); rng.FillUniform(x, 0, 1);
        var (index, _) = SquaredDistances.Nearest(x, m, s, n, d, blockRows: 7);
        for (int i = 0; i < m; i++)
        {
            int best = Enumerable.Range(0, n).MinBy(j => Enumerable.Range(0, d).Sum(k => Math.Pow(x[i * d + k] - s[j * d + k], 2)));
            Assert.Equal(best, index[i]);
        }
    }
}
