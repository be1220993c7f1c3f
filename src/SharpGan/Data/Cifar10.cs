using System.IO.Compression;
using System.Security.Cryptography;
using SharpGan.IO;

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

    /// <summary>Records in one published batch file (each of the six holds exactly 10 000).</summary>
    private const int RecordsPerBatch = 10_000;

    /// <summary>The published archive inflates to ≈ 178 MB; refusing more bounds the time a hostile archive can take.</summary>
    private const long MaxInflatedArchiveBytes = 256L << 20;

    /// <summary>
    /// Writes the batch files found in a gzipped tar archive into <paramref name="folder"/>, each checked by
    /// <see cref="Parse"/> first; returns their names. Entries are matched by base name, so no path from the archive is
    /// ever used; links and other files are skipped. A corrupt archive, an entry larger than a batch file, or an archive
    /// inflating past 256 MB throws <see cref="InvalidDataException"/>; nothing is written unless the whole archive reads.
    /// </summary>
    public static IReadOnlyList<string> ExtractBatches(Stream gzippedTar, string folder)
    {
        var wanted = TrainFiles.Append(TestFile).ToHashSet();
        var batches = new Dictionary<string, byte[]>();
        using var inflated = new LengthLimitedStream(new GZipStream(gzippedTar, CompressionMode.Decompress), MaxInflatedArchiveBytes);
        foreach (var (name, data) in TarRegularFiles(inflated, wanted.Contains))
        {
            Parse(data, name);
            batches[name] = data;
        }
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in batches) AtomicFile.WriteAllBytes(Path.Combine(folder, name), bytes);
        return batches.Keys.ToList();
    }

    /// <summary>
    /// The regular files of a tar stream (ustar, GNU and PAX headers) whose base name <paramref name="keep"/> accepts, as
    /// (base name, contents); other entries are skipped without being held in memory, and a kept file larger than a
    /// batch file is refused. Written here rather than with
    /// System.Formats.Tar because TarReader allocates whatever a long-name or PAX header claims (half a gigabyte from
    /// a 103-byte archive in our fuzzing); here every size is checked before a byte is kept.
    /// </summary>
    private static IEnumerable<(string Name, byte[] Data)> TarRegularFiles(Stream tar, Func<string, bool> keep)
    {
        const int Block = 512, MaxNameBytes = 64 << 10;
        var header = new byte[Block];
        string? longName = null;
        while (true)
        {
            int got = tar.ReadAtLeast(header, Block, throwOnEndOfStream: false);
            if (got == 0 || header.All(b => b == 0)) yield break; // end of archive (two zero blocks; one is enough to stop)
            if (got < Block) throw new InvalidDataException($"the CIFAR-10 archive ends inside a tar header");
            if (!ChecksumMatches(header)) throw new InvalidDataException("the CIFAR-10 archive has a tar header with a bad checksum");
            long size = Octal(header.AsSpan(124, 12));
            char type = (char)header[156];
            long padded = (size + Block - 1) / Block * Block;
            string name = Path.GetFileName(longName ?? Field(header.AsSpan(0, 100))); // the base name is always in the name field
            if (type is 'L' or 'x') // GNU long name, PAX attributes: they name the next entry
            {
                if (size > MaxNameBytes) throw new InvalidDataException($"the CIFAR-10 archive has a {size}-byte name header (at most {MaxNameBytes})");
                var text = ReadEntry(tar, size, padded);
                longName = type == 'L' ? Field(text) : PaxPath(text);
                continue;
            }
            longName = null;
            if (type is '0' or '\0' && keep(name))
            {
                if (size > (long)RecordsPerBatch * RecordBytes)
                    throw new InvalidDataException($"{name}: {size} bytes in the archive; a CIFAR-10 batch holds {RecordsPerBatch * RecordBytes}");
                yield return (name, ReadEntry(tar, size, padded));
            }
            else Skip(tar, padded); // directories, links, other files and metadata
        }
    }

    // An entry's bytes, read as they arrive (a header's size may lie), then its padding skipped.
    private static byte[] ReadEntry(Stream tar, long size, long padded)
    {
        byte[] data = StreamBytes.ReadAtMost(tar, size);
        if (data.Length < size) throw new InvalidDataException("the CIFAR-10 archive ends inside an entry");
        Skip(tar, padded - size);
        return data;
    }

    private static string Field(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    // A PAX record list: "LEN path=VALUE\n" records; returns the path, or null.
    private static string? PaxPath(byte[] records)
    {
        foreach (string record in System.Text.Encoding.UTF8.GetString(records).Split('\n'))
        {
            int space = record.IndexOf(' ');
            if (space > 0 && record[(space + 1)..].StartsWith("path=", StringComparison.Ordinal)) return record[(space + 6)..];
        }
        return null;
    }

    // Tar numbers are NUL- or space-terminated octal; the base-256 form (high bit set) is for sizes beyond 8 GB, refused.
    private static long Octal(ReadOnlySpan<byte> field)
    {
        long value = 0;
        int digits = 0;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ') { if (digits > 0) break; continue; }
            if (b is < (byte)'0' or > (byte)'7' || ++digits > 11) throw new InvalidDataException("the CIFAR-10 archive has a tar header with a bad size field");
            value = value * 8 + (b - '0');
        }
        return value;
    }

    private static bool ChecksumMatches(byte[] header)
    {
        long stored;
        try { stored = Octal(header.AsSpan(148, 8)); }
        catch (InvalidDataException) { return false; }
        long sum = 0;
        for (int i = 0; i < header.Length; i++) sum += i is >= 148 and < 156 ? ' ' : header[i];
        return sum == stored;
    }

    private static void Skip(Stream stream, long count)
    {
        var buffer = new byte[Math.Min(count, 81920)];
        while (count > 0)
        {
            int n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0) throw new InvalidDataException("the CIFAR-10 archive ends inside an entry");
            count -= n;
        }
    }

    /// <summary>A read-only view of a stream that throws <see cref="InvalidDataException"/> once more than a limit has been read.</summary>
    private sealed class LengthLimitedStream(Stream inner, long limit) : Stream
    {
        private long _read;
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));
        private int Count(int n)
        {
            _read += n;
            if (_read > limit) throw new InvalidDataException($"the CIFAR-10 archive inflates to more than {limit >> 20} MB");
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
