using SharpGan.Gan;

namespace SharpGan.Training;

/// <summary>Sample-quality numbers measured during training (a metrics.csv row's evaluation columns).</summary>
/// <param name="FrechetDistance">Classifier-feature Fréchet distance to the test set (lower is better).</param>
/// <param name="ClassifierScore">Inception-Score-style score with the dataset's classifier (max 10).</param>
/// <param name="ClassesCovered">Classes that get at least 5 % of their fair share of samples.</param>
/// <param name="Precision">Fraction of samples on the test set's k-NN manifold.</param>
/// <param name="Recall">Fraction of test images on the samples' k-NN manifold.</param>
/// <param name="ParzenLogLikelihood">A fast Parzen-window test log-likelihood (fewer samples than Table 1), or null when off.</param>
public sealed record SampleQuality(double FrechetDistance, double ClassifierScore, int ClassesCovered, double Precision, double Recall, double? ParzenLogLikelihood);

/// <summary>Measures <see cref="SampleQuality"/> of a generator between training iterations.</summary>
/// <remarks>Implementations must leave training untouched: their own random numbers, the generator in eval mode.</remarks>
public interface ISampleQualityProbe
{
    /// <summary>Scores samples drawn now, at iteration <paramref name="step"/>.</summary>
    SampleQuality Measure(GanModels models, GanConfig config, long step);
}
