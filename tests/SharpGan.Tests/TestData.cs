using SharpGan.Data;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Real MNIST for the tests: $SHARPGAN_DATA, else ../shared/datasets beside the repository. Missing data fails loudly.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);
    private static readonly Lazy<ImageDataset> MnistTrain = new(() =>
        ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Train, PixelRange.ZeroOne, Locator()));

    public static string DataRoot => Root.Value;

    public static DatasetLocator Locator() => new(DataRoot, allowDownload: false);

    /// <summary>The first <paramref name="count"/> images of MNIST train[0:50000].</summary>
    public static ImageDataset Mnist(int count) => MnistTrain.Value.Take(count);

    private static string FindRoot()
    {
        string? env = Environment.GetEnvironmentVariable("SHARPGAN_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(Path.Combine(env, "mnist"))) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "datasets");
            if (Directory.Exists(Path.Combine(candidate, "mnist"))) return candidate;
        }
        Assert.Fail("MNIST not found: set SHARPGAN_DATA to a folder holding mnist/ (CI uses ../shared/datasets)");
        return "";
    }
}
