using System.Numerics.Tensors;

namespace SharpGan.Evaluation;

/// <summary>Sample-quality and coverage numbers in a classifier's feature space.</summary>
/// <param name="FrechetDistance">‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) between sample and reference features (lower is better).</param>
/// <param name="ClassifierScore">Inception-Score-style exp E[KL(p(y|x) ‖ p(y))] with the MNIST classifier (max 10).</param>
/// <param name="ClassesCovered">Classes predicted for at least 5% of their fair share (N/10) of samples.</param>
/// <param name="ClassHistogram">Fraction of samples predicted as each class.</param>
/// <param name="Precision">Fraction of samples inside the reference set's k-NN manifold (Kynkäänniemi et al. 2019, k = 3).</param>
/// <param name="Recall">Fraction of reference points inside the samples' k-NN manifold.</param>
public sealed record FeatureSpaceScores(double FrechetDistance, double ClassifierScore, int ClassesCovered, double[] ClassHistogram, double Precision, double Recall);

/// <summary>
/// A reference image set prepared once for several comparisons: its classifier features and the k-NN radii of its
/// manifold (the expensive parts), so a model and the real-data floor are scored against the same work.
/// </summary>
public sealed class MetricsReference
{
    internal float[] Features { get; }
    internal float[] Radii { get; }
    internal int Count { get; }
    internal int K { get; }

    /// <summary>Reference images (count, 784) in [0, 1].</summary>
    public MetricsReference(FeatureClassifier classifier, ReadOnlySpan<float> images, int count, int k = 3)
    {
        (Count, K) = (count, k);
        Features = classifier.Features(images, count);
        Radii = FeatureSpaceMetrics.KthNeighbourRadii(Features, count, FeatureClassifier.FeatureDim, k);
    }
}

/// <summary>Computes <see cref="FeatureSpaceScores"/> for a sample set against reference images.</summary>
public static class FeatureSpaceMetrics
{
    /// <summary>Samples are (count, 784) in [0, 1]; the reference is prepared once with <see cref="MetricsReference"/>.</summary>
    public static FeatureSpaceScores Compute(FeatureClassifier classifier, ReadOnlySpan<float> samples, int sampleCount, MetricsReference reference)
    {
        int d = FeatureClassifier.FeatureDim, referenceCount = reference.Count;
        var fs = classifier.Features(samples, sampleCount);
        var fr = reference.Features;
        var probabilities = classifier.Probabilities(samples, sampleCount);
        double precision = FractionInside(fs, sampleCount, fr, referenceCount, reference.Radii, d);
        double recall = FractionInside(fr, referenceCount, fs, sampleCount, KthNeighbourRadii(fs, sampleCount, d, reference.K), d);
        var histogram = new double[10];
        for (int i = 0; i < sampleCount; i++) histogram[TensorPrimitives.IndexOfMax(probabilities.AsSpan(i * 10, 10))] += 1.0 / sampleCount;
        int covered = histogram.Count(h => h >= 0.05 / 10);
        return new FeatureSpaceScores(FrechetDistance(fs, sampleCount, fr, referenceCount, d), ClassifierScore(probabilities, sampleCount), covered, histogram, precision, recall);
    }

    /// <summary>Fréchet distance between Gaussians fitted to two feature sets (rows of length d), in double.</summary>
    public static double FrechetDistance(ReadOnlySpan<float> a, int na, ReadOnlySpan<float> b, int nb, int d)
    {
        var (muA, covA) = MeanAndCovariance(a, na, d);
        var (muB, covB) = MeanAndCovariance(b, nb, d);
        // Tr((ΣA ΣB)^½) = Tr((√ΣA ΣB √ΣA)^½): the inner product is symmetric PSD, so two symmetric eigendecompositions do.
        var sqrtA = MatrixSqrt(covA, d);
        var inner = Multiply(Multiply(sqrtA, covB, d), sqrtA, d);
        var (innerValues, _) = SymmetricEigen.Decompose(inner, d);
        double traceSqrt = innerValues.Sum(v => Math.Sqrt(Math.Max(v, 0)));
        double meanTerm = 0, trace = 0;
        for (int i = 0; i < d; i++)
        {
            meanTerm += (muA[i] - muB[i]) * (muA[i] - muB[i]);
            trace += covA[i * d + i] + covB[i * d + i];
        }
        return meanTerm + trace - 2 * traceSqrt;
    }

    private static (double[] Mean, double[] Covariance) MeanAndCovariance(ReadOnlySpan<float> x, int n, int d)
    {
        var mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        var cov = new double[d * d];
        var centred = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) centred[j] = x[i * d + j] - mean[j];
            for (int p = 0; p < d; p++)
            {
                double cp = centred[p];
                if (cp == 0) continue;
                for (int q = p; q < d; q++) cov[p * d + q] += cp * centred[q];
            }
        }
        for (int p = 0; p < d; p++)
            for (int q = p; q < d; q++) cov[q * d + p] = cov[p * d + q] /= n - 1;
        return (mean, cov);
    }

    private static double[] MatrixSqrt(double[] a, int d)
    {
        var (values, vectors) = SymmetricEigen.Decompose(a, d);
        var result = new double[d * d];
        for (int k = 0; k < d; k++)
        {
            double s = Math.Sqrt(Math.Max(values[k], 0));
            if (s == 0) continue;
            for (int i = 0; i < d; i++)
            {
                double vik = vectors[i * d + k] * s;
                for (int j = 0; j < d; j++) result[i * d + j] += vik * vectors[j * d + k];
            }
        }
        return result;
    }

    private static double[] Multiply(double[] a, double[] b, int d)
    {
        var c = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int k = 0; k < d; k++)
            {
                double aik = a[i * d + k];
                for (int j = 0; j < d; j++) c[i * d + j] += aik * b[k * d + j];
            }
        return c;
    }

    /// <summary>exp(E_x KL(p(y|x) ‖ p(y))) from class probabilities (n, 10).</summary>
    public static double ClassifierScore(ReadOnlySpan<float> probabilities, int n)
    {
        var marginal = new double[10];
        for (int i = 0; i < n; i++) for (int c = 0; c < 10; c++) marginal[c] += probabilities[i * 10 + c] / (double)n;
        double kl = 0;
        for (int i = 0; i < n; i++)
            for (int c = 0; c < 10; c++)
            {
                double p = probabilities[i * 10 + c];
                if (p > 0) kl += p * Math.Log(p / marginal[c]);
            }
        return Math.Exp(kl / n);
    }

    /// <summary>
    /// Improved precision/recall: a set's manifold is the union of balls around its points with radius the distance
    /// to the k-th nearest other point of the same set; precision = samples inside the reference manifold, recall =
    /// reference points inside the sample manifold. Distances by GEMM.
    /// </summary>
    public static (double Precision, double Recall) PrecisionRecall(ReadOnlySpan<float> reference, int nr, ReadOnlySpan<float> samples, int ns, int d, int k = 3)
    {
        var radiiR = KthNeighbourRadii(reference, nr, d, k);
        var radiiS = KthNeighbourRadii(samples, ns, d, k);
        return (FractionInside(samples, ns, reference, nr, radiiR, d), FractionInside(reference, nr, samples, ns, radiiS, d));
    }

    internal static float[] KthNeighbourRadii(ReadOnlySpan<float> x, int n, int d, int k)
    {
        var radii = new float[n];
        var norms = SquaredDistances.RowNorms(x, n, d);
        const int block = 500;
        var dist = new float[Math.Min(block, n) * n];
        var row = new float[n];
        for (int start = 0; start < n; start += block)
        {
            int rows = Math.Min(block, n - start);
            SquaredDistances.Compute(x.Slice(start * d, rows * d), rows, x, n, d, norms, dist);
            for (int r = 0; r < rows; r++)
            {
                dist.AsSpan(r * n, n).CopyTo(row);
                row[start + r] = float.PositiveInfinity; // a point is not its own neighbour
                radii[start + r] = KthSmallest(row, k);
            }
        }
        return radii;
    }

    private static float KthSmallest(float[] values, int k)
    {
        Span<float> best = stackalloc float[k];
        best.Fill(float.PositiveInfinity);
        foreach (float v in values)
        {
            if (v >= best[k - 1]) continue;
            int i = k - 1;
            while (i > 0 && best[i - 1] > v) { best[i] = best[i - 1]; i--; }
            best[i] = v;
        }
        return best[k - 1];
    }

    // Fraction of the query points within radius[j] (squared) of at least one manifold point j.
    private static double FractionInside(ReadOnlySpan<float> queries, int nq, ReadOnlySpan<float> manifold, int nm, float[] squaredRadii, int d)
    {
        var norms = SquaredDistances.RowNorms(manifold, nm, d);
        const int block = 500;
        var dist = new float[Math.Min(block, nq) * nm];
        int inside = 0;
        for (int start = 0; start < nq; start += block)
        {
            int rows = Math.Min(block, nq - start);
            SquaredDistances.Compute(queries.Slice(start * d, rows * d), rows, manifold, nm, d, norms, dist);
            for (int r = 0; r < rows; r++)
            {
                var drow = dist.AsSpan(r * nm, nm);
                for (int j = 0; j < nm; j++)
                    if (drow[j] <= squaredRadii[j]) { inside++; break; }
            }
        }
        return (double)inside / nq;
    }
}
