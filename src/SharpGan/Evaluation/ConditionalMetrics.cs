using System.Numerics.Tensors;

namespace SharpGan.Evaluation;

/// <summary>How well a conditional generator gives the class it is asked for.</summary>
/// <param name="Agreement">Fraction of samples the feature classifier assigns to the class they were asked for.</param>
/// <param name="AgreementByClass">The same per asked class.</param>
/// <param name="FrechetByClass">Fréchet distance, in classifier features, between the samples asked for class c and the test images of class c.</param>
public sealed record ClassConditionalScores(double Agreement, double[] AgreementByClass, double[] FrechetByClass);

/// <summary>Scores a conditional generator's samples against the class they were asked for.</summary>
public static class ConditionalMetrics
{
    /// <summary>
    /// <paramref name="samples"/> (count, dim) in [0, 1] were asked for <paramref name="labels"/>; the test images
    /// (testCount, dim) carry <paramref name="testLabels"/>. Features are computed once for each set, then split by class.
    /// </summary>
    public static ClassConditionalScores Compute(FeatureClassifier classifier, ReadOnlySpan<float> samples, ReadOnlySpan<byte> labels, int count,
        ReadOnlySpan<float> test, ReadOnlySpan<byte> testLabels, int testCount, int classes)
    {
        if (labels.Length != count || testLabels.Length != testCount) throw new ArgumentException("one label a sample and a test image");
        var probabilities = classifier.Probabilities(samples, count);
        var agreedByClass = new double[classes];
        var askedByClass = new int[classes];
        for (int i = 0; i < count; i++)
        {
            askedByClass[labels[i]]++;
            if (TensorPrimitives.IndexOfMax(probabilities.AsSpan(i * classes, classes)) == labels[i]) agreedByClass[labels[i]]++;
        }
        int d = FeatureClassifier.FeatureDim;
        var sampleFeatures = classifier.Features(samples, count);
        var testFeatures = classifier.Features(test, testCount);
        var frechet = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            var mine = Rows(sampleFeatures, labels, (byte)c, d);
            var theirs = Rows(testFeatures, testLabels, (byte)c, d);
            // Fewer than two of either leaves no covariance to compare: NaN says "not measured".
            frechet[c] = mine.Count >= 2 && theirs.Count >= 2 ? FeatureSpaceMetrics.FrechetDistance(mine.Values, mine.Count, theirs.Values, theirs.Count, d) : double.NaN;
        }
        double agreement = agreedByClass.Sum() / count;
        return new ClassConditionalScores(agreement, agreedByClass.Select((a, c) => askedByClass[c] > 0 ? a / askedByClass[c] : double.NaN).ToArray(), frechet);
    }

    private static (float[] Values, int Count) Rows(float[] features, ReadOnlySpan<byte> labels, byte c, int d)
    {
        var rows = new List<float>();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] == c) rows.AddRange(features.AsSpan(i * d, d).ToArray());
        return (rows.ToArray(), rows.Count / d);
    }
}
