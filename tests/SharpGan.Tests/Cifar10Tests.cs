using SharpGan.Models;
using SharpGan.Data;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The CIFAR-10 binary reader, its catalogue entry and the cifar10-dcgan preset, on small files in the real layout.</summary>
public class Cifar10Tests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-cifar-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Record i: label i % 10, red plane = i, green plane = 100 + pixel % 7, blue plane = 255 − i.
    internal static byte[] Records(int count, int first = 0)
    {
        var bytes = new byte[count * Cifar10.RecordBytes];
        for (int r = 0; r < count; r++)
        {
            int i = first + r, o = r * Cifar10.RecordBytes;
            bytes[o] = (byte)(i % 10);
            for (int p = 0; p < 1024; p++)
            {
                bytes[o + 1 + p] = (byte)i;
                bytes[o + 1 + 1024 + p] = (byte)(100 + p % 7);
                bytes[o + 1 + 2048 + p] = (byte)(255 - i);
            }
        }
        return bytes;
    }

    private string WriteDataset() => WriteDataset(_dir, 4, 3);

    /// <summary>Five training batches and a test batch, in ROOT/cifar10/cifar-10-batches-bin/ as the archive unpacks; returns ROOT.</summary>
    internal static string WriteDataset(string root, int perTrainBatch, int test)
    {
        string folder = Path.Combine(root, "cifar10", Cifar10.ArchiveFolder);
        Directory.CreateDirectory(folder);
        for (int b = 0; b < 5; b++) File.WriteAllBytes(Path.Combine(folder, Cifar10.TrainFiles[b]), Records(perTrainBatch, perTrainBatch * b));
        File.WriteAllBytes(Path.Combine(folder, Cifar10.TestFile), Records(test, 200));
        return root;
    }

    [Fact]
    public void ParseKeepsChannelPlanesInOrder()
    {
        var (pixels, labels) = Cifar10.Parse(Records(12), "test");
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (byte)(i % 10)), labels);
        Assert.Equal(12 * 3072, pixels.Length);
        int d = 3072;
        Assert.Equal(11, pixels[11 * d + 5]);            // red
        Assert.Equal(100 + 5 % 7, pixels[11 * d + 1024 + 5]); // green
        Assert.Equal(255 - 11, pixels[11 * d + 2048 + 5]);  // blue
    }

    [Fact]
    public void WrongLengthAndBadLabelsAreRejectedWithTheFileName()
    {
        var truncated = Records(2).AsSpan(0, 2 * Cifar10.RecordBytes - 1).ToArray();
        var ex = Assert.Throws<InvalidDataException>(() => Cifar10.Parse(truncated, "data_batch_1.bin"));
        Assert.Contains("data_batch_1.bin", ex.Message);
        Assert.Contains("not a whole number", ex.Message);
        Assert.Throws<InvalidDataException>(() => Cifar10.Parse([], "empty.bin"));
        var badLabel = Records(3);
        badLabel[2 * Cifar10.RecordBytes] = 10;
        Assert.Contains("record 2 has label 10", Assert.Throws<InvalidDataException>(() => Cifar10.Parse(badLabel, "x")).Message);
    }

    [Fact]
    public void CatalogueLoadsSplitsInTheRequestedRange()
    {
        var locator = new DatasetLocator(WriteDataset(), allowDownload: false);
        var train = DatasetCatalog.Load("cifar10", DatasetSplit.Train, PixelRange.MinusOneOne, locator);
        var valid = DatasetCatalog.Load("cifar10", DatasetSplit.Validation, PixelRange.MinusOneOne, locator);
        var full = DatasetCatalog.Load("cifar10", DatasetSplit.FullTrain, PixelRange.ZeroOne, locator);
        var test = DatasetCatalog.Load("cifar10", DatasetSplit.Test, PixelRange.ZeroOne, locator);
        Assert.Equal((18, 2, 20, 3), (train.Count, valid.Count, full.Count, test.Count)); // 90 % / 10 % of 5 × 4
        Assert.Equal((32, 32, 3, 3072), (train.Height, train.Width, train.Channels, train.Dimension));
        Assert.Equal(8, valid.Labels[0]); // validation starts at record 18
        Assert.Equal(-1f + 2f * 18 / 255f, valid.Pixels[0], 5);  // red of record 18 in [−1, 1]
        Assert.Equal((255 - 19) / 255f, full.Pixels[19 * 3072 + 2048], 5); // blue of record 19 in [0, 1]
        Assert.Equal(200 % 10, test.Labels[0]);
        Assert.Equal((32, 32, 3), DatasetCatalog.ImageShape("cifar10"));
    }

    [Fact]
    public void ArchiveExtractionTakesOnlyTheBatchFilesByBaseName()
    {
        var archive = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(archive, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip))
        {
            void Add(string name, byte[] data) =>
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("cifar-10-batches-bin/batches.meta.txt", "airplane\n"u8.ToArray());
            Add("cifar-10-batches-bin/test_batch.bin", Records(3));
            Add("../../escape/data_batch_1.bin", Records(2));
        }
        archive.Position = 0;
        string folder = Path.Combine(_dir, "cache");
        var written = Cifar10.ExtractBatches(archive, folder);
        Assert.Equal(["test_batch.bin", "data_batch_1.bin"], written);
        Assert.Equal(Records(2), File.ReadAllBytes(Path.Combine(folder, "data_batch_1.bin"))); // written inside the folder, never at ../../escape
        Assert.False(File.Exists(Path.Combine(folder, "batches.meta.txt")));
    }

    [Fact]
    public void MissingFilesOfflineNameEveryPlaceLooked()
    {
        var ex = Assert.Throws<DatasetNotFoundException>(() =>
            DatasetCatalog.Load("cifar10", DatasetSplit.Test, PixelRange.ZeroOne, new DatasetLocator(_dir, allowDownload: false)));
        Assert.Contains("test_batch.bin", ex.Message);
        Assert.Contains(Path.Combine(_dir, "cifar10", Cifar10.ArchiveFolder), ex.Message);
        Assert.Contains("--data-dir", ex.Message);
    }

    [Fact]
    public void Cifar10DcganTrainsDrawsColourGridsAndResumes()
    {
        var locator = new DatasetLocator(WriteDataset(), allowDownload: false);
        var preset = Presets.Get("cifar10-dcgan");
        var config = preset with { Model = preset.Model with { Features = 4, NoiseDim = 8 }, Training = preset.Training with { BatchSize = 6, MaxSteps = 4, CheckpointEvery = 2, SampleEvery = 2 } };
        var train = DatasetCatalog.Load("cifar10", DatasetSplit.Train, config.PixelRange, locator);
        var run = new RunDirectory(Path.Combine(_dir, "run"));
        var trainer = new GanTrainer(config, train, run);
        Assert.Equal((32, 32, 3), (trainer.Models.SampleHeight, trainer.Models.SampleWidth, trainer.Models.SampleChannels));
        Assert.Equal(TrainOutcome.Completed, trainer.Train().Outcome);
        byte[] png = File.ReadAllBytes(Path.Combine(run.SampleFolder, "latest.png"));
        Assert.Equal(2, png[25]); // PNG colour type 2: truecolour RGB

        // Resume from step 2 and reach the same weights as the uninterrupted run.
        var again = new RunDirectory(Path.Combine(_dir, "again"));
        new GanTrainer(config with { Training = config.Training with { MaxSteps = 2 } }, train, again).Train();
        var resumed = new GanTrainer(config, train, again, Checkpoint.Read(again.LatestCheckpoint()!));
        resumed.Train();
        foreach (var ((name, a), (_, b)) in trainer.Models.Generator.NamedState().Zip(resumed.Models.Generator.NamedState()))
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), name);
    }

    [Fact]
    public void ArchitectureThatCannotMakeTheImageSizeIsRefused()
    {
        var wrong = Presets.Get("cifar10-dcgan") with { Model = Presets.Get("cifar10-dcgan").Model with { Architecture = Architecture.Dcgan28 } };
        var ex = Assert.Throws<ConfigException>(() => ConfigIo.Validate(wrong));
        Assert.Contains("dcgan28 makes 28×28 images, but cifar10 images are 32×32×3; use dcgan32", ex.Message);
        var mnist32 = Presets.Get("mnist-dcgan") with { Model = Presets.Get("mnist-dcgan").Model with { Architecture = Architecture.Dcgan32 } };
        Assert.Contains("use dcgan28", Assert.Throws<ConfigException>(() => ConfigIo.Validate(mnist32)).Message);
    }

    [Fact]
    public void Dcgan32NetworksHaveTheReferenceShapes()
    {
        var models = ModelFactory.Build(Presets.Get("cifar10-dcgan"), null);
        var z = new Tensor(2, 100);
        new Rng(3).FillGaussian(z.Data);
        var x = models.Generator.Forward(z);
        Assert.Equal([2, 3072], x.Shape);
        Assert.Equal([2, 1], models.Discriminator.Forward(x).Shape);
        // G: 100→256 (4×4) → 128 → 64 → 3; D: 3→64 → 128 → 256 → 1.
        var gShapes = models.Generator.NamedParameters().Where(p => p.Value.Shape.Length == 4).Select(p => Shapes.Format(p.Value.Shape));
        Assert.Equal(["100, 256, 4, 4", "256, 128, 4, 4", "128, 64, 4, 4", "64, 3, 4, 4"], gShapes);
        var dShapes = models.Discriminator.NamedParameters().Where(p => p.Value.Shape.Length == 4).Select(p => Shapes.Format(p.Value.Shape));
        Assert.Equal(["64, 3, 4, 4", "128, 64, 4, 4", "256, 128, 4, 4", "1, 256, 4, 4"], dShapes);
    }
}
