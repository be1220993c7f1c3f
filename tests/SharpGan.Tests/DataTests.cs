using SharpGan.Data;
using SharpGan.IO;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class DataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("x.idx")]
    [InlineData("x.idx.gz")]
    public void IdxRoundTripRawAndGzip(string name)
    {
        var original = new IdxArray([3, 2, 4], Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray());
        string path = Path.Combine(_dir, name);
        IdxFile.Write(path, original);
        var back = IdxFile.Read(path);
        Assert.Equal(original.Dimensions, back.Dimensions);
        Assert.Equal(original.Values, back.Values);
    }

    [Fact]
    public void BadIdxFilesAreRejectedWithTheFileAndTheFault()
    {
        string path = Path.Combine(_dir, "bad.idx");
        IdxFile.Write(path, new IdxArray([2, 3], new byte[6]));
        byte[] good = File.ReadAllBytes(path);

        void Expect(byte[] bytes, string fragment, string file = "bad.idx")
        {
            string p = Path.Combine(_dir, file);
            File.WriteAllBytes(p, bytes);
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(p));
            Assert.Contains(file, ex.Message);
            Assert.Contains(fragment, ex.Message);
        }
        Expect(good[..^1], "truncated");
        Expect([.. good, 7], "unexpected bytes");
        Expect([1, 2, .. good[2..]], "magic");
        Expect([0, 0, 0x0D, .. good[3..]], "element type");
        Expect([0, 0], "too short");
        byte[] gz = GzipOf(good);
        Expect(gz[..(gz.Length / 2)], "truncated", "bad.idx.gz");   // a cut download
        byte[] garbled = (byte[])gz.Clone();
        for (int i = 10; i < garbled.Length - 8; i++) garbled[i] = 0xFF;
        Expect(garbled, "gzip", "bad.idx.gz");
    }

    private static byte[] GzipOf(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Optimal, true)) z.Write(raw);
        return ms.ToArray();
    }

    [Fact]
    public void MnistLoadsVerifiedWithThePapersSplits()
    {
        var locator = TestData.Locator();
        var train = ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Train, PixelRange.ZeroOne, locator);
        var valid = ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Validation, PixelRange.MinusOneOne, locator);
        var test = ImageDataset.Load(DatasetCatalog.Mnist, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        Assert.Equal((50_000, 10_000, 10_000), (train.Count, valid.Count, test.Count));
        Assert.Equal(784, train.Dimension);
        Assert.Equal(5, train.Labels[0]);   // the first MNIST training digit is a 5
        Assert.Equal(7, test.Labels[0]);    // the first test digit is a 7
        Assert.InRange(train.Pixels.Average(), 0.12, 0.14);
        Assert.True(valid.Pixels.Min() >= -1f && valid.Pixels.Max() <= 1f && valid.Pixels.Min() == -1f);
    }

    [SkippableFact]
    public void FashionMnistIsFoundInDebiansPackageFolder()
    {
        OptionalNative.FashionMnistPackage();
        var test = ImageDataset.Load(DatasetCatalog.FashionMnist, DatasetSplit.Test, PixelRange.ZeroOne, new DatasetLocator(_dir, allowDownload: false));
        Assert.Equal(10_000, test.Count);
    }

    [Fact]
    public void TheDecodedCacheServesOnlyWhatMatchesItsSourceAndHash()
    {
        // A verified .gz file's decompressed copy is kept; it is used only for that very file, unchanged, whole.
        string folder = Path.Combine(_dir, "mnist"), cache = Path.Combine(_dir, "decoded");
        Directory.CreateDirectory(folder);
        var file = DatasetCatalog.Mnist.TestLabels;
        byte[] expected = TestData.Locator().Load(DatasetCatalog.Mnist, file);
        string source = Path.Combine(folder, file.FileName);
        IdxFile.Write(source, IdxFile.Parse(expected, file.FileName));
        Assert.Null(DecodedIdxCache.TryRead(source, file, cache));
        DecodedIdxCache.Write(source, file, expected, cache);
        Assert.Equal(expected, DecodedIdxCache.TryRead(source, file, cache));

        string entry = Directory.GetFiles(cache).Single();
        byte[] good = File.ReadAllBytes(entry);
        byte[] flipped = (byte[])good.Clone();
        flipped[^5] ^= 1; // content damaged: the hash no longer matches
        File.WriteAllBytes(entry, flipped);
        Assert.Null(DecodedIdxCache.TryRead(source, file, cache));
        File.WriteAllBytes(entry, good[..^1]); // cut short
        Assert.Null(DecodedIdxCache.TryRead(source, file, cache));
        File.WriteAllBytes(entry, good);
        string copy = Path.Combine(_dir, file.FileName);
        File.Copy(source, copy);
        Assert.Null(DecodedIdxCache.TryRead(copy, file, cache)); // another file, even with the same bytes
        File.SetLastWriteTimeUtc(source, File.GetLastWriteTimeUtc(source).AddSeconds(-10));
        Assert.Null(DecodedIdxCache.TryRead(source, file, cache)); // the source changed since
    }

    [Fact]
    public void ChecksumMismatchIsRefused()
    {
        string folder = Path.Combine(_dir, "mnist");
        Directory.CreateDirectory(folder);
        var labels = IdxFile.Parse(TestData.Locator().Load(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels), "t10k-labels");
        labels.Values[17] ^= 1; // one flipped bit, still a well-formed IDX file
        IdxFile.Write(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), labels);
        var ex = Assert.Throws<InvalidDataException>(() => new DatasetLocator(_dir, allowDownload: false).Load(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels));
        Assert.Contains("checksum mismatch", ex.Message);
    }

    [Fact]
    public void AnotherDatasetsFileInABareFolderIsPassedOver()
    {
        // MNIST's test labels in a folder given as "the files themselves"; Fashion-MNIST's file has the same name.
        string mnist = TestData.Locator().Find(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels)!;
        string copy = Path.Combine(_dir, Path.GetFileName(mnist));
        File.Copy(mnist, copy);
        var saved = (Data: Environment.GetEnvironmentVariable("SHARPGAN_DATA"), Cache: Environment.GetEnvironmentVariable("XDG_CACHE_HOME"));
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", null);
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(_dir, "empty-cache"));
        try
        {
            var locator = new DatasetLocator(_dir, allowDownload: false);
            Assert.Equal(copy, locator.Find(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels));
            // Never "checksum mismatch … delete it": Debian's copy when installed, else not found.
            bool debian = File.Exists("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
            if (debian) Assert.Equal(10_008, locator.Load(DatasetCatalog.FashionMnist, DatasetCatalog.FashionMnist.TestLabels).Length);
            else Assert.Throws<DatasetNotFoundException>(() => locator.Load(DatasetCatalog.FashionMnist, DatasetCatalog.FashionMnist.TestLabels));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHARPGAN_DATA", saved.Data);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved.Cache);
        }
    }

    [Fact]
    public void MissingDataNamesEveryPlaceLooked()
    {
        // An empty cache too: a user whose cache already holds MNIST must see the same result.
        var saved = (Data: Environment.GetEnvironmentVariable("SHARPGAN_DATA"), Cache: Environment.GetEnvironmentVariable("XDG_CACHE_HOME"));
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", null);
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(_dir, "empty-cache"));
        try
        {
            var ex = Assert.Throws<DatasetNotFoundException>(() => new DatasetLocator(_dir, allowDownload: false).Load(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TrainImages));
            Assert.Contains(Path.Combine(_dir, "mnist"), ex.Message);
            Assert.Contains(DatasetLocator.CacheRoot, ex.Message);
            Assert.Contains("--data-dir", ex.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHARPGAN_DATA", saved.Data);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", saved.Cache);
        }
    }

    [Fact]
    public void RelativeDataFolderIsReadAgainstTheCurrentDirectory()
    {
        string folder = TestData.MnistFolder;
        var saved = (Data: Environment.GetEnvironmentVariable("SHARPGAN_DATA"), Cwd: Directory.GetCurrentDirectory());
        Directory.SetCurrentDirectory(Path.GetDirectoryName(folder)!);
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", Path.GetFileName(folder));
        try
        {
            Assert.Equal(Path.Combine(folder, Path.GetFileName(new DatasetLocator(allowDownload: false).Find(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels)!)),
                new DatasetLocator(allowDownload: false).Find(DatasetCatalog.Mnist, DatasetCatalog.Mnist.TestLabels));
            Assert.Contains(folder, new DatasetLocator(allowDownload: false).CandidateFolders(DatasetCatalog.Mnist));
        }
        finally
        {
            Directory.SetCurrentDirectory(saved.Cwd);
            Environment.SetEnvironmentVariable("SHARPGAN_DATA", saved.Data);
        }
    }

    [Fact]
    public void SamplerCoversAnEpochWithoutRepeatsAndResumesMidEpoch()
    {
        var data = TestData.Mnist(1000);
        var a = new ShuffledMinibatches(data, 100, new Rng(3));
        var batch = new Tensor(100, 784);
        var seen = new HashSet<float>();
        for (int i = 0; i < 10; i++) { a.Next(batch); seen.Add(batch.Data.Sum()); }
        Assert.True(seen.Count >= 95 * 10 / 100); // ten different batches (sums differ)
        var b = new ShuffledMinibatches(data, 100, new Rng(999));
        for (int i = 0; i < 13; i++) a.Next(batch);
        b.SetState(a.GetState());
        var x = new Tensor(100, 784); var y = new Tensor(100, 784);
        for (int i = 0; i < 15; i++) { a.Next(x); b.Next(y); Assert.Equal(x.Data, y.Data); }
        Assert.Equal(a.Epoch, b.Epoch);
    }
}
