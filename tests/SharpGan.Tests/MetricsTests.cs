using SharpGan.Evaluation;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class MetricsTests
{
    [Fact]
    public void FrechetDistanceMatchesTheEigenvaluesOfTheCovarianceProduct()
    {
        // Independently of the symmetric route FrechetDistance takes: Tr((ΣA ΣB)^½) is the sum of the square roots of
        // the (real, non-negative) eigenvalues of the non-symmetric product ΣA ΣB, found here by a general solver.
        int n = 600, d = 12;
        var rng = new Rng(9);
        var a = new float[n * d];
        var b = new float[n * d];
        rng.FillGaussian(a);
        rng.FillGaussian(b);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                a[i * d + j] = a[i * d + j] * (1 + j % 3) + 0.5f * a[i * d + (j + 1) % d];   // correlated columns
                b[i * d + j] = b[i * d + j] * (2 - j % 2) + 0.3f * j;                       // other scales, a shift
            }
        MathNet.Numerics.LinearAlgebra.Matrix<double> Covariance(float[] x, out double[] mean)
        {
            var m = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, d, (i, j) => x[i * d + j]);
            var mu = m.ColumnSums() / n;
            mean = mu.ToArray();
            var centred = m - MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(n, d, (i, j) => mu[j]);
            return centred.TransposeThisAndMultiply(centred) / (n - 1);
        }
        var (ca, cb) = (Covariance(a, out var ma), Covariance(b, out var mb));
        double traceSqrt = (ca * cb).Evd().EigenValues.Sum(v => Math.Sqrt(Math.Max(v.Real, 0)));
        double expected = ma.Zip(mb, (x, y) => (x - y) * (x - y)).Sum() + ca.Trace() + cb.Trace() - 2 * traceSqrt;
        Assert.Equal(expected, FeatureSpaceMetrics.FrechetDistance(a, n, b, n, d), 6);
        Assert.Equal(0, FeatureSpaceMetrics.FrechetDistance(a, n, a, n, d), 6);
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

/// <summary>The user-cache copy of `eval metrics`' reference features and real-data floor.</summary>
public sealed class MetricsReferenceCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-metrics-cache-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TheCachedReferenceAndFloorEqualFreshOnesAndADamagedFileIsReplaced()
    {
        var classifier = new FeatureClassifier("mnist", new Rng(4)); // untrained: the cache does not care what it computes
        var all = TestData.Mnist(600);
        var (test, train) = (all.Take(300), new SharpGan.Data.ImageDataset(300, 28, 28, 1, all.Pixels.AsSpan(300 * 784, 300 * 784).ToArray(), all.Labels[300..]));
        var (fresh, floor) = MetricsReferenceCache.Get(classifier, test, train, 200, _dir);
        var file = Assert.Single(Directory.GetFiles(_dir));
        var samples = TestData.Mnist(50).Pixels;
        var expected = FeatureSpaceMetrics.Compute(classifier, samples, 50, fresh);

        var (cached, cachedFloor) = MetricsReferenceCache.Get(classifier, test, train, 200, _dir);
        Assert.Equal(floor.FrechetDistance, cachedFloor.FrechetDistance);
        Assert.Equal(floor.ClassHistogram, cachedFloor.ClassHistogram);
        Assert.Equal(expected, FeatureSpaceMetrics.Compute(classifier, samples, 50, cached) with { ClassHistogram = expected.ClassHistogram });

        // Damaged (cut short): computed again, the file rewritten whole.
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        var (_, again) = MetricsReferenceCache.Get(classifier, test, train, 200, _dir);
        Assert.Equal(floor.Precision, again.Precision);
        Assert.Equal(bytes, File.ReadAllBytes(file));

        // Other inputs (another count, another classifier) have files of their own.
        MetricsReferenceCache.Get(classifier, test, train, 100, _dir);
        MetricsReferenceCache.Get(new FeatureClassifier("mnist", new Rng(5)), test, train, 200, _dir);
        Assert.Equal(3, Directory.GetFiles(_dir).Length);
    }
}
