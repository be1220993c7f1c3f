using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SharpGan.Data;

/// <summary>
/// CIFAR-10 (Krizhevsky 2009), binary version: data_batch_1..5.bin (training) and test_batch.bin, each a run of
/// 3073-byte records: 1 label byte (0–9), then 1024 red, 1024 green, 1024 blue bytes, each plane row-major 32×32.
/// That is already NCHW, the layout the networks use, so records are copied without reordering.
/// </summary>
/// <remarks>
/// Found like the IDX datasets (--data-dir, $SHARPGAN_DATA, the cache; each as DIR/cifar10/ or
/// DIR/cifar10/cifar-10-batches-bin/), else the authors' archive is downloaded, its SHA-256 checked, and the six
/// batch files extracted into the cache. No per-file checksums of the extracted batches are published, so local
/// files are checked by structure: a whole number of records and labels below 10.
/// </remarks>
public static class Cifar10
{
    /// <summary>The catalogue name.</summary>
    public const string Name = "cifar10";

    /// <summary>Image side (32) and colour channels (3).</summary>
    public const int Side = 32, Channels = 3;

    /// <summary>Bytes per record: the label byte and 3 × 32 × 32 pixels.</summary>
    public const int RecordBytes = 1 + Channels * Side * Side;

    /// <summary>The five training batches, in order.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The test batch.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>The folder the archive unpacks to.</summary>
    public const string ArchiveFolder = "cifar-10-batches-bin";

    private const string ArchiveName = "cifar-10-binary.tar.gz";
    private const string ArchiveUrl = "https://www.cs.toronto.edu/~kriz/" + ArchiveName;
    // The authors' page publishes MD5 c32a1d4ab5d03f1284b67883e8d87530 for this 170 052 171-byte archive; we check
    // the stronger SHA-256 of the same file.
    private const string ArchiveSha256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd";

    /// <summary>Description for listings.</summary>
    public const string Description = "CIFAR-10 colour images, 50 000 train + 10 000 test, 32×32×3";

    /// <summary>
    /// Parses one batch file: (pixels, labels) with pixels (count, 3·32·32) bytes in NCHW order. Throws
    /// <see cref="InvalidDataException"/> naming the file when its length is not a whole number of records or a label is out of range.
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) Parse(ReadOnlySpan<byte> bytes, string source)
    {
        int count = RecordCount(bytes, source);
        var pixels = new byte[(long)count * (RecordBytes - 1)];
        var labels = new byte[count];
        Unpack(bytes, source, pixels, labels);
        return (pixels, labels);
    }

    // Records in a batch file; throws unless its length is a whole, non-zero number of records.
    private static int RecordCount(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            throw new InvalidDataException($"{source}: {bytes.Length} bytes is not a whole number of {RecordBytes}-byte CIFAR-10 records (label + 3×32×32); the file is truncated or not a CIFAR-10 binary batch");
        return bytes.Length / RecordBytes;
    }

    // Splits records into pixels (count, 3072) and labels, checking each label.
    private static void Unpack(ReadOnlySpan<byte> bytes, string source, Span<byte> pixels, Span<byte> labels)
    {
        int d = RecordBytes - 1;
        for (int i = 0; i < bytes.Length / RecordBytes; i++)
        {
            var record = bytes.Slice(i * RecordBytes, RecordBytes);
            if (record[0] > 9) throw new InvalidDataException($"{source}: record {i} has label {record[0]}, CIFAR-10 labels are 0–9; the file is corrupt or not a CIFAR-10 binary batch");
            labels[i] = record[0];
            record[1..].CopyTo(pixels.Slice(i * d, d));
        }
    }

    /// <summary>
    /// Loads a split: Train is the first 90 % of the training records (45 000), Validation the last 10 % (5 000) —
    /// held out as MNIST's train[50000:] is — FullTrain all of them, Test the test batch.
    /// </summary>
    public static ImageDataset Load(DatasetSplit split, PixelRange range, DatasetLocator locator)
    {
        var files = split == DatasetSplit.Test ? [TestFile] : TrainFiles;
        var batches = files.Select(f => (File: f, Bytes: locator.LoadFile(Name, f, [ArchiveFolder], FetchAndExtract))).ToList();
        int total = batches.Sum(b => RecordCount(b.Bytes, b.File)), validation = total / 10, d = RecordBytes - 1;
        var pixels = new byte[(long)total * d];
        var labels = new byte[total];
        int at = 0;
        foreach (var (name, bytes) in batches)
        {
            Unpack(bytes, name, pixels.AsSpan(at * d), labels.AsSpan(at));
            at += bytes.Length / RecordBytes;
        }
        var (start, count) = split switch
        {
            DatasetSplit.Train => (0, total - validation),
            DatasetSplit.Validation => (total - validation, validation),
            _ => (0, total),
        };
        if (count <= 0) throw new InvalidDataException($"{Name}: {total} training images are too few for a validation split");
        return ImageDataset.FromPixelBytes(pixels.AsSpan(start * d, count * d), labels.AsSpan(start, count), Side, Side, Channels, range);
    }

    // Downloads the archive, checks its SHA-256, extracts the six batch files into cacheFolder and returns the one asked for.
    private static byte[] FetchAndExtract(string cacheFolder, string fileName, HttpClient http)
    {
        Console.Error.WriteLine($"downloading {ArchiveUrl} (163 MiB)");
        byte[] archive = http.GetByteArrayAsync(ArchiveUrl).GetAwaiter().GetResult();
        string actual = Convert.ToHexStringLower(SHA256.HashData(archive));
        if (actual != ArchiveSha256)
            throw new InvalidDataException($"{ArchiveUrl}: checksum mismatch (SHA-256 {actual[..16]}…, expected {ArchiveSha256[..16]}…)");
        var extracted = ExtractBatches(new MemoryStream(archive), cacheFolder);
        return extracted.Contains(fileName) ? File.ReadAllBytes(Path.Combine(cacheFolder, fileName))
            : throw new InvalidDataException($"{ArchiveUrl}: the archive has no {fileName}");
    }

    /// <summary>
    /// Writes the batch files found in a gzipped tar archive into <paramref name="folder"/>, each checked by
    /// <see cref="Parse"/> first; returns their names. Entries are matched by base name, so no path from the archive is
    /// ever used; links and other files are skipped.
    /// </summary>
    public static IReadOnlyList<string> ExtractBatches(Stream gzippedTar, string folder)
    {
        Directory.CreateDirectory(folder);
        var wanted = TrainFiles.Append(TestFile).ToHashSet();
        var written = new List<string>();
        using var tar = new TarReader(new GZipStream(gzippedTar, CompressionMode.Decompress));
        while (tar.GetNextEntry() is { } entry)
        {
            string name = Path.GetFileName(entry.Name);
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !wanted.Contains(name) || entry.DataStream is null) continue;
            using var buffer = new MemoryStream();
            entry.DataStream.CopyTo(buffer);
            var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
            Parse(bytes, name);
            Tensors.AtomicFile.WriteAllBytes(Path.Combine(folder, name), bytes);
            written.Add(name);
        }
        return written;
    }
}
