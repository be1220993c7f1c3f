using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Evaluation;

/// <summary>
/// The `--eval-every` probe: classifier-feature metrics of <c>samples</c> fresh samples against as many test images,
/// plus (optionally) a fast Parzen window — the first 1 000 samples, σ chosen on 500 validation images, scored on
/// 1 000 test images. The fast Parzen number tracks progress; it is lower than the Table-1 protocol's
/// (10 000 samples), so report `sharpgan eval parzen` for the table.
/// </summary>
public sealed class TrainingQualityProbe : ISampleQualityProbe
{
    private const int ParzenSamples = 1_000, ParzenValidation = 500, ParzenTest = 1_000;
    private readonly FeatureClassifier _classifier;
    private readonly MetricsReference _reference;
    private readonly int _samples;
    private readonly ImageDataset? _validation, _test;

    /// <summary>Prepares the reference features once. Datasets are in [0, 1]; pass null validation to skip Parzen.</summary>
    public TrainingQualityProbe(FeatureClassifier classifier, ImageDataset test, int samples, ImageDataset? validation)
    {
        if (samples > test.Count) throw new ArgumentOutOfRangeException(nameof(samples), $"{samples} evaluation samples need as many test images; the test set has {test.Count}");
        (_classifier, _samples) = (classifier, samples);
        _reference = new MetricsReference(classifier, test.Pixels, samples);
        if (validation is not null) (_validation, _test) = (validation.Take(ParzenValidation), test.Take(ParzenTest));
    }

    /// <inheritdoc/>
    public SampleQuality Measure(GanModels models, GanConfig config, long step)
    {
        // Own noise stream per step: measuring never advances the training Rngs, so runs resume identically.
        var rng = new RandomStreams(config.Seed).Fork(RandomStream.SampleNoise, (ulong)step);
        float[] samples = Samples.Draw(models, config.Model.NoisePrior, _samples, rng).Data;
        config.PixelRange.ToUnitRange(samples);
        var m = FeatureSpaceMetrics.Compute(_classifier, samples, _samples, _reference);
        double? parzen = null;
        if (_validation is not null && _test is not null)
        {
            int n = Math.Min(ParzenSamples, _samples);
            parzen = ParzenWindow.Evaluate(samples.AsSpan(0, n * _validation.Dimension), n, _validation.Pixels, _validation.Count,
                _test.Pixels, _test.Count, _validation.Dimension).TestMean;
        }
        return new SampleQuality(m.FrechetDistance, m.ClassifierScore, m.ClassesCovered, m.Precision, m.Recall, parzen);
    }
}
