using SharpGan.Data;
using SharpGan.Evaluation;

namespace SharpGan.Bench;

/// <summary>
/// The whole Table-1 protocol on real MNIST with train[0:10000] standing in for 10 000 samples (a perfect
/// memoriser; the paper's anchor): σ from 10 values on train[50000:51000], then all 10 000 test images.
/// Data loading is excluded from the time. bench/parzen_numpy.py runs the same protocol in NumPy.
/// </summary>
internal static class ParzenBench
{
    public static int Run(BenchOptions options)
    {
        var locator = new DatasetLocator(allowDownload: false);
        var train = ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.FullTrain, PixelRange.ZeroOne, locator);
        var test = ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        var samples = train.Pixels.AsSpan(0, 10_000 * 784).ToArray();
        var valid = train.Pixels.AsSpan(50_000 * 784, 1_000 * 784).ToArray();
        ParzenResult? result = null;
        double ms = Timing.MedianMilliseconds(() => result = ParzenWindow.Evaluate(samples, 10_000, valid, 1_000, test.Pixels, 10_000, 784), 1, Math.Max(1, Math.Min(options.Iterations, 3)));
        Console.WriteLine($"sigma={result!.Sigma:F4} test_ll={result.TestMean:F2} test_se={result.TestStandardError:F2}");
        Console.WriteLine($"seconds={ms / 1000:F3}");
        return 0;
    }
}
