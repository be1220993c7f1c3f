using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using FloatLanes = System.Numerics.Vector<float>;
using IntLanes = System.Numerics.Vector<int>;
using Lanes = System.Numerics.Vector;

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

    // From values computed before (MetricsReferenceCache).
    internal MetricsReference(float[] features, float[] radii, int count, int k) => (Features, Radii, Count, K) = (features, radii, count, k);
}

/// <summary>Computes <see cref="FeatureSpaceScores"/> for a sample set against reference images.</summary>
public static class FeatureSpaceMetrics
{
    /// <summary>Samples are (count, 784) in [0, 1]; the reference is prepared once with <see cref="MetricsReference"/>.</summary>
    public static FeatureSpaceScores Compute(FeatureClassifier classifier, ReadOnlySpan<float> samples, int sampleCount, MetricsReference reference)
    {
        int d = FeatureClassifier.FeatureDim, referenceCount = reference.Count;
        var (fs, probabilities) = classifier.FeaturesAndProbabilities(samples, sampleCount);
        var fr = reference.Features;
        var (precision, recall) = FractionsInside(fs, sampleCount, KthNeighbourRadii(fs, sampleCount, d, reference.K), fr, referenceCount, reference.Radii, d);
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
        // Tr((ΣA ΣB)^½) = Tr((√ΣA ΣB √ΣA)^½): the inner product is symmetric PSD, so two symmetric eigendecompositions
        // (Math.NET's Householder tridiagonalisation + QL: ~50 ms at d = 256, where cyclic Jacobi took ~1.5 s) do.
        var sqrtA = SquareRoot(covA);
        var inner = sqrtA * covB * sqrtA;
        inner = (inner + inner.Transpose()) * 0.5; // symmetric to the last bit, as the symmetric solver assumes
        double traceSqrt = inner.Evd(Symmetricity.Symmetric).EigenValues.Sum(v => Math.Sqrt(Math.Max(v.Real, 0)));
        double meanTerm = 0;
        for (int i = 0; i < d; i++) meanTerm += (muA[i] - muB[i]) * (muA[i] - muB[i]);
        return meanTerm + covA.Trace() + covB.Trace() - 2 * traceSqrt;
    }

    // Mean (d) and unbiased covariance (d × d) of n rows, in double: one rank-1 update of the upper triangle a row,
    // vectorised along the row.
    private static (double[] Mean, Matrix<double> Covariance) MeanAndCovariance(ReadOnlySpan<float> x, int n, int d)
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
                if (cp == 0) continue; // ReLU features: many are exactly 0
                var row = cov.AsSpan(p * d + p, d - p);
                TensorPrimitives.MultiplyAdd(centred.AsSpan(p), cp, row, row);
            }
        }
        for (int p = 0; p < d; p++)
            for (int q = p; q < d; q++) cov[q * d + p] = cov[p * d + q] /= n - 1;
        return (mean, Matrix<double>.Build.DenseOfRowMajor(d, d, cov));
    }

    // The symmetric PSD square root V·diag(√λ)·Vᵀ (negative rounding-level eigenvalues taken as 0).
    private static Matrix<double> SquareRoot(Matrix<double> a)
    {
        var evd = a.Evd(Symmetricity.Symmetric);
        var roots = Vector<double>.Build.Dense(a.RowCount, i => Math.Sqrt(Math.Max(evd.EigenValues[i].Real, 0)));
        return evd.EigenVectors * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * evd.EigenVectors.Transpose();
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
        return FractionsInside(samples, ns, radiiS, reference, nr, radiiR, d);
    }

    internal static float[] KthNeighbourRadii(ReadOnlySpan<float> x, int n, int d, int k)
    {
        var radii = new float[n];
        var all = new SquaredDistances.Reference(x, n, d);
        const int block = 500;
        var dist = new float[Math.Min(block, n) * n];
        var row = new float[n];
        for (int start = 0; start < n; start += block)
        {
            int rows = Math.Min(block, n - start);
            SquaredDistances.Compute(x.Slice(start * d, rows * d), rows, all, dist);
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

    // Precision and recall from one pass over the sample × reference distances (each computed once, block by block):
    // precision, the fraction of samples within squared radius referenceRadii[j] of some reference point j; recall,
    // the fraction of reference points within sampleRadii[i] of some sample i. Vectorised along the reference axis.
    // Shapes: samples (ns, d), reference (nr, d), radii (ns) and (nr).
    private static (double Precision, double Recall) FractionsInside(ReadOnlySpan<float> samples, int ns, float[] sampleRadii,
        ReadOnlySpan<float> reference, int nr, float[] referenceRadii, int d)
    {
        var packed = new SquaredDistances.Reference(reference, nr, d);
        const int block = 500;
        var dist = new float[Math.Min(block, ns) * nr];
        var reached = new int[nr]; // −1 once some sample's ball holds reference point j
        int samplesInside = 0, w = FloatLanes.Count;
        for (int start = 0; start < ns; start += block)
        {
            int rows = Math.Min(block, ns - start);
            SquaredDistances.Compute(samples.Slice(start * d, rows * d), rows, packed, dist);
            for (int r = 0; r < rows; r++)
            {
                var drow = dist.AsSpan(r * nr, nr);
                float radius = sampleRadii[start + r];
                var ball = new FloatLanes(radius);
                var inside = IntLanes.Zero;
                int j = 0;
                for (; j <= nr - w; j += w)
                {
                    var dv = new FloatLanes(drow[j..]);
                    inside |= Lanes.LessThanOrEqual(dv, new FloatLanes(referenceRadii.AsSpan(j)));
                    (new IntLanes(reached.AsSpan(j)) | Lanes.LessThanOrEqual(dv, ball)).CopyTo(reached.AsSpan(j));
                }
                bool isInside = inside != IntLanes.Zero;
                for (; j < nr; j++)
                {
                    isInside |= drow[j] <= referenceRadii[j];
                    if (drow[j] <= radius) reached[j] = -1;
                }
                if (isInside) samplesInside++;
            }
        }
        int referenceReached = 0;
        foreach (int v in reached) if (v != 0) referenceReached++;
        return ((double)samplesInside / ns, (double)referenceReached / nr);
    }
}
