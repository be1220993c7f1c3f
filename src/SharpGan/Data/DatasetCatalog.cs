namespace SharpGan.Data;

/// <summary>The datasets SharpGAN can find, verify and download by name.</summary>
public static class DatasetCatalog
{
    /// <summary>MNIST (LeCun, Cortes, Burges): the paper's dataset.</summary>
    public static DatasetInfo Mnist { get; } = new(
        "mnist", "MNIST handwritten digits, 60 000 train + 10 000 test, 28×28 grey",
        new("train-images-idx3-ubyte.gz", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 47040016),
        new("train-labels-idx1-ubyte.gz", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 60008),
        new("t10k-images-idx3-ubyte.gz", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 7840016),
        new("t10k-labels-idx1-ubyte.gz", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 10008),
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://yann.lecun.com/exdb/mnist/"],
        []);

    /// <summary>Fashion-MNIST (Xiao, Rasul, Vollgraf): a drop-in replacement for MNIST.</summary>
    public static DatasetInfo FashionMnist { get; } = new(
        "fashion-mnist", "Fashion-MNIST clothing images, 60 000 train + 10 000 test, 28×28 grey",
        new("train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
        new("train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
        new("t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
        new("t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        ["/usr/share/datasets/fashion-mnist"]);

    /// <summary>Every known IDX dataset.</summary>
    public static IReadOnlyList<DatasetInfo> All { get; } = [Mnist, FashionMnist];

    /// <summary>Every dataset name the trainer and evaluations accept: the IDX datasets and CIFAR-10.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(d => d.Name), Cifar10.Name];

    /// <summary>Looks an IDX dataset up by name; throws <see cref="ArgumentException"/> listing the known names.</summary>
    public static DatasetInfo Get(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException(IsCifar10(name) ? $"{name} is not one of the 28×28 IDX datasets ({string.Join(", ", All.Select(d => d.Name))}) this needs" : UnknownMessage(name));

    /// <summary>The (height, width, channels) of a named dataset's images.</summary>
    public static (int Height, int Width, int Channels) ImageShape(string name)
    {
        if (IsCifar10(name)) return (Cifar10.Side, Cifar10.Side, Cifar10.Channels);
        Get(name); // throws for unknown names; the IDX datasets here are all 28×28 grey
        return (28, 28, 1);
    }

    /// <summary>The number of label classes of a named dataset (10 for MNIST, Fashion-MNIST and CIFAR-10).</summary>
    public static int ClassCount(string name)
    {
        ImageShape(name); // throws for unknown names
        return 10;
    }

    /// <summary>Loads a split of any named dataset, finding or fetching its files.</summary>
    public static ImageDataset Load(string name, DatasetSplit split, PixelRange range, DatasetLocator locator) =>
        IsCifar10(name) ? Cifar10.Load(split, range, locator) : ImageDataset.Load(Get(name), split, range, locator);

    /// <summary>True when <paramref name="name"/> is in the catalogue.</summary>
    public static bool Contains(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>"unknown dataset 'x'; known: …".</summary>
    public static string UnknownMessage(string name) => $"unknown dataset '{name}'; known: {string.Join(", ", Names)}";

    private static bool IsCifar10(string name) => string.Equals(name, Cifar10.Name, StringComparison.OrdinalIgnoreCase);
}
