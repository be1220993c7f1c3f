using System.Runtime.CompilerServices;
using SharpGan.Data;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Real MNIST for the tests, found exactly as `sharpgan train` finds it: $SHARPGAN_DATA (a folder holding mnist/ or
/// the four files), the user cache, else downloaded into the cache (unless SHARPGAN_OFFLINE=1). Missing data fails
/// loudly, naming every place looked.
/// </summary>
internal static class TestData
{
    private static readonly Lazy<string> Folder = new(FindMnistFolder);
    private static readonly Lazy<ImageDataset> MnistTrain = new(() =>
        ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Train, PixelRange.ZeroOne, Locator()));

    /// <summary>
    /// `dotnet test` starts the test host in the test binary's folder, so a relative $SHARPGAN_DATA would be read
    /// against the wrong directory. The shell's directory is still in $PWD, which the host inherits: resolve against
    /// it once, before any test runs, so locators here and child `sharpgan` processes all see the folder the user meant.
    /// </summary>
    [ModuleInitializer]
    internal static void ResolveRelativeDataFolder()
    {
        string? data = Environment.GetEnvironmentVariable("SHARPGAN_DATA");
        string? shell = Environment.GetEnvironmentVariable("PWD");
        if (!string.IsNullOrWhiteSpace(data) && !Path.IsPathRooted(data) && !string.IsNullOrEmpty(shell) && Directory.Exists(shell))
            Environment.SetEnvironmentVariable("SHARPGAN_DATA", Path.GetFullPath(data, shell));
    }

    /// <summary>The folder holding the four MNIST files; usable as --data-dir or $SHARPGAN_DATA.</summary>
    public static string MnistFolder => Folder.Value;

    /// <summary>A locator that looks in <see cref="MnistFolder"/> only and never downloads.</summary>
    public static DatasetLocator Locator() => new(MnistFolder, allowDownload: false);

    /// <summary>The first <paramref name="count"/> images of MNIST train[0:50000].</summary>
    public static ImageDataset Mnist(int count) => MnistTrain.Value.Take(count);

    private static string FindMnistFolder()
    {
        var product = new DatasetLocator();
        try
        {
            foreach (var file in DatasetCatalog.Mnist.Files) product.Load(DatasetCatalog.Mnist, file); // verifies, downloads if allowed
        }
        catch (DatasetNotFoundException e)
        {
            Assert.Fail($"the tests need real MNIST: {e.Message}");
        }
        return Path.GetDirectoryName(product.Find(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels)!)!;
    }
}
