using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class ClassifierTests
{
    [Fact]
    public void LearnsDigitsAndRoundTripsThroughAFile()
    {
        var train = TestData.Mnist(3000);
        var test = ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Test, PixelRange.ZeroOne, TestData.Locator()).Take(1000);
        var classifier = new FeatureClassifier("mnist", new Rng(1));
        double untrained = classifier.Accuracy(test);
        classifier.Train(train, 2, new Rng(2));
        double accuracy = classifier.Accuracy(test);
        Assert.True(accuracy > 0.85, $"accuracy {accuracy:P1} after 2 epochs on 3000 images (untrained {untrained:P1})");

        string path = Path.Combine(Path.GetTempPath(), $"sharpgan-classifier-{Environment.ProcessId}.safetensors");
        try
        {
            classifier.Save(path, accuracy);
            var (loaded, saved) = FeatureClassifier.Load(path);
            Assert.Equal(accuracy, saved);
            Assert.Equal(classifier.Features(test.Pixels, 20), loaded.Features(test.Pixels, 20));
            Assert.Equal(FeatureClassifier.FeatureDim * 20, loaded.Features(test.Pixels, 20).Length);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("mnist", 0.99)]
    [InlineData("fashion-mnist", 0.90)]
    public void TheShippedClassifiersAreFoundAndAccurate(string dataset, double least)
    {
        // models/classifiers/DATASET.safetensors in the repository: `eval metrics` works before any classifier is trained.
        string? shipped = FeatureClassifier.Shipped(dataset);
        Assert.NotNull(shipped);
        var (classifier, accuracy) = FeatureClassifier.LoadFor(dataset, shipped, "this test");
        Assert.Equal(dataset, classifier.Dataset);
        Assert.True(accuracy >= least, $"recorded test accuracy {accuracy:P2}");
        Assert.Null(FeatureClassifier.Shipped("no-such-dataset"));
    }
}
