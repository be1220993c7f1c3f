using SharpGan.Evaluation;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class MetricsTests
{
    [Fact]
    public void JacobiReconstructsASymmetricMatrix()
    {
        int n = 20;
        var rng = new Rng(3);
        var a = new double[n * n];
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.NextGaussian();
        var (values, v) = SymmetricEigen.Decompose(a, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double rebuilt = 0, dot = 0;
                for (int k = 0; k < n; k++) { rebuilt += v[i * n + k] * values[k] * v[j * n + k]; dot += v[k * n + i] * v[k * n + j]; }
                Assert.Equal(a[i * n + j], rebuilt, 9);
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 9);
            }
    }

    [Fact]
    public void FrechetDistanceOfAShiftedSetIsTheSquaredShift()
    {
        int n = 2000, d = 6;
        var rng = new Rng(4);
        var a = new float[n * d];
        rng.FillGaussian(a);
        var b = (float[])a.Clone();
        float[] shift = [1f, -2f, 0.5f, 0f, 0f, 3f];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) b[i * d + j] += shift[j];
        Assert.Equal(0, FeatureSpaceMetrics.FrechetDistance(a, n, a, n, d), 6);
        Assert.Equal(1 + 4 + 0.25 + 9, FeatureSpaceMetrics.FrechetDistance(a, n, b, n, d), 4);
    }

    [Fact]
    public void ClassifierScoreRunsFromOneToTheNumberOfClasses()
    {
        var confidentSpread = new float[100 * 10];
        var allOneClass = new float[100 * 10];
        for (int i = 0; i < 100; i++) { confidentSpread[i * 10 + i % 10] = 1; allOneClass[i * 10 + 3] = 1; }
        Assert.Equal(10, FeatureSpaceMetrics.ClassifierScore(confidentSpread, 100), 6);
        Assert.Equal(1, FeatureSpaceMetrics.ClassifierScore(allOneClass, 100), 6);
    }

    [Fact]
    public void PrecisionAndRecallOfIdenticalAndOfFarApartSets()
    {
        int n = 300, d = 4;
        var a = new float[n * d];
        new Rng(6).FillGaussian(a);
        Assert.Equal((1.0, 1.0), FeatureSpaceMetrics.PrecisionRecall(a, n, a, n, d));
        var far = a.Select(v => v + 100f).ToArray();
        Assert.Equal((0.0, 0.0), FeatureSpaceMetrics.PrecisionRecall(a, n, far, n, d));
        // Mode dropping: the reference has two far-apart clusters, the samples only the first → precision 1, recall ½.
        var twoModes = a.Take(n / 2 * d).Concat(a.Take(n / 2 * d).Select(v => v + 100f)).ToArray();
        var oneMode = a.Take(n / 2 * d).ToArray();
        var (p, r) = FeatureSpaceMetrics.PrecisionRecall(twoModes, n, oneMode, n / 2, d);
        Assert.Equal(1.0, p);
        Assert.Equal(0.5, r);
    }
}
