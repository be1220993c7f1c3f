using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Text;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.IO;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit.Abstractions;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Mutation fuzzing of every reader (fixed seeds, a few thousand inputs each): bit flips, byte overwrites with 0, −1 and
/// extreme integers, truncations, insertions, deletions, and structured edits of the text inside headers (numbers set
/// to 0, negative or huge, values set to null or the wrong type). Each input must end in the reader's documented
/// exception or be accepted, within 1 s or 10× the valid seed's time (slow twice in a row), allocating at most a small multiple of its size. Inputs that once failed are
/// kept in tests/fixtures/fuzz/ and replayed.
/// </summary>
public sealed partial class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private const int InputsPerReader = 2500;
    private static readonly TimeSpan MaxTimePerInput = TimeSpan.FromSeconds(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Allocation allowed for one input: 32 bytes per input byte plus 2 MB (JSON documents, small tables).</summary>
    private static long AllocationBound(int inputLength) => 32L * inputLength + (2 << 20);

    private void Fuzz(string reader, byte[] seed, Action<byte[]> read, Type documented, Func<byte[], Random, byte[]>? structured = null, int inputs = InputsPerReader)
    {
        var random = new Random(reader.Aggregate(17, (h, c) => h * 31 + c));
        var failures = new List<string>();
        long maxAllocated = 0, maxAllocatedInput = 0; TimeSpan slowest = TimeSpan.Zero;
        int refused = 0;
        read(seed); // the seed itself is valid (and this first read warms the code up)
        // A hang shows as an input taking far longer than the valid seed, on the same machine under the same load; a
        // fixed wall-clock limit alone fails on a slow or busy CI machine (other test classes run in parallel).
        var seedClock = Stopwatch.StartNew();
        read(seed);
        TimeSpan limit = TimeSpan.FromTicks(Math.Max(MaxTimePerInput.Ticks, 10 * seedClock.Elapsed.Ticks));
        for (int i = 0; i < inputs; i++)
        {
            byte[] input = structured is not null && i % 3 == 2 ? structured(seed, random) : Mutate(seed, random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try { read(input); }
            catch (Exception e) when (e.GetType() == documented) { refused++; }
            catch (Exception e) { failures.Add($"input {i}: {e.GetType().Name}: {e.Message}"); Keep(reader, i, input); }
            clock.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > maxAllocated) (maxAllocated, maxAllocatedInput) = (allocated, input.Length);
            if (clock.Elapsed > slowest) slowest = clock.Elapsed;
            if (clock.Elapsed > limit && SlowAgain(read, input, seed) is { } slow) // judged against the seed timed now, under today's load
            { failures.Add($"input {i}: took {clock.Elapsed.TotalSeconds:F2} s, then {slow}"); Keep(reader, i, input); }
            if (allocated > AllocationBound(input.Length)) { failures.Add($"input {i}: allocated {allocated:N0} bytes for {input.Length:N0}"); Keep(reader, i, input); }
        }
        output.WriteLine($"{reader}: {inputs} inputs, {refused} refused with {documented.Name}, {inputs - refused} accepted, " +
                         $"0 unclean; slowest {slowest.TotalMilliseconds:F1} ms; most allocated {maxAllocated:N0} bytes (for a {maxAllocatedInput:N0}-byte input)");
        Assert.True(failures.Count == 0, $"{reader}: {failures.Count} bad outcomes of {inputs} (kept under {_dir}):\n{string.Join("\n", failures.Take(10))}");
    }

    // A slow input is read again beside a fresh read of the seed: other test classes run in parallel, and a burst of their
    // work (or a collection of the seed's large arrays) can slow one read several-fold. A hang or a blow-up stays slow
    // against the seed timed in the same moment; contention slows both. Returns null when the input was not slow after all.
    private static string? SlowAgain(Action<byte[]> read, byte[] input, byte[] seed)
    {
        TimeSpan before = TimeRead(read, seed), inputNow = TimeRead(read, input), after = TimeRead(read, seed);
        TimeSpan seedNow = (before + after) / 2, limit = TimeSpan.FromTicks(Math.Max(MaxTimePerInput.Ticks, 10 * seedNow.Ticks));
        return inputNow > limit ? $"{inputNow.TotalSeconds:F2} s against the seed's {seedNow.TotalSeconds:F2} s (limit {limit.TotalSeconds:F2} s)" : null;
    }

    private static TimeSpan TimeRead(Action<byte[]> read, byte[] input)
    {
        var clock = Stopwatch.StartNew();
        try { read(input); } catch (Exception) { } // its outcome was judged on the first read
        return clock.Elapsed;
    }

    private void Keep(string reader, int i, byte[] input)
    {
        try { File.WriteAllBytes(Path.Combine(_dir, $"{reader}-{i}.bin"), input); } catch (IOException) { }
    }

    private static readonly long[] Extremes = [0, -1, 1, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, 0x7FFF_FFFF_FFFF];

    private static byte[] Mutate(byte[] seed, Random r)
    {
        var b = new List<byte>(seed);
        int edits = 1 + r.Next(3);
        for (int e = 0; e < edits && b.Count > 0; e++)
        {
            int at = r.Next(b.Count);
            switch (r.Next(6))
            {
                case 0: b[at] ^= (byte)(1 << r.Next(8)); break;
                case 1: b[at] = r.Next(3) switch { 0 => 0, 1 => 0xFF, _ => (byte)r.Next(256) }; break;
                case 3: b.InsertRange(at, Enumerable.Range(0, 1 + r.Next(16)).Select(_ => (byte)r.Next(256))); break;
                case 4: b.RemoveRange(at, Math.Min(1 + r.Next(16), b.Count - at)); break;
                case 5:
                    var word = BitConverter.GetBytes(Extremes[r.Next(Extremes.Length)]);
                    if (r.Next(2) == 0) Array.Reverse(word); // big-endian headers (IDX) too
                    for (int k = 0; k < (r.Next(2) == 0 ? 4 : 8) && at + k < b.Count; k++) b[at + k] = word[k];
                    break;
                default: b.RemoveRange(at, b.Count - at); break; // truncation
            }
        }
        return b.ToArray();
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?(e[+-]?\d+)?|""[a-z_0-9-]*""|true|false|null|\{|\[")]
    private static partial Regex JsonToken();

    private static readonly string[] Replacements =
        ["0", "-1", "-2147483649", "2147483648", "99999999999999999999999", "1e308", "-1e308", "1e-320", "0.5", "null", "\"x\"", "\"uniform\"", "[]", "{}", "true", "[1,2]", "{\"a\":1}"];

    /// <summary>Replaces one JSON token (number, string, literal, or the start of an object or list) with a hostile value.</summary>
    internal static string MutateJson(string json, Random r)
    {
        var tokens = JsonToken().Matches(json);
        if (tokens.Count == 0) return json;
        var t = tokens[r.Next(tokens.Count)];
        string replacement = Replacements[r.Next(Replacements.Length)];
        if (t.Value is "{" or "[") return json[..t.Index] + replacement + ", \"extra\": " + json[t.Index..]; // breaks the structure around it
        return json[..t.Index] + replacement + json[(t.Index + t.Length)..];
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ConfigJson()
    {
        byte[] seed = Utf8(ConfigIo.ToJson(TrainerTests.Small(10)));
        Fuzz("config", seed, b => ConfigIo.FromJson(Encoding.UTF8.GetString(b), "run.json"), typeof(ConfigException),
            (s, r) => Utf8(MutateJson(MutateJson(Encoding.UTF8.GetString(s), r), r)));
    }

    private static byte[] SmallIdx()
    {
        var values = Enumerable.Range(0, 3 * 4 * 4).Select(i => (byte)(i * 7)).ToArray();
        var raw = new byte[4 + 12 + values.Length];
        raw[2] = 8; raw[3] = 3;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4), 3);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(8), 4);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(12), 4);
        values.CopyTo(raw, 16);
        return raw;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(raw);
        return buffer.ToArray();
    }

    [Fact]
    public void IdxRaw() => Fuzz("idx", SmallIdx(), b => IdxFile.Parse(IdxFile.Decompress(b, "x.idx"), "x.idx"), typeof(InvalidDataException));

    [Fact]
    public void IdxGzip() => Fuzz("idx-gz", Gzip(SmallIdx()), b => IdxFile.Parse(IdxFile.Decompress(b, "x.idx.gz"), "x.idx.gz"), typeof(InvalidDataException),
        // Mutate the IDX inside, then compress: headers that declare huge arrays behind a few bytes of gzip.
        (_, r) => Gzip(Mutate(SmallIdx(), r)));

    [Fact]
    public void Npy()
    {
        string path = Path.Combine(_dir, "seed.npy");
        SampleFile.WriteNpy(path, Enumerable.Range(0, 24).Select(i => i / 24f).ToArray(), 3, 8);
        byte[] seed = File.ReadAllBytes(path);
        Fuzz("npy", seed, b => SampleFile.ParseNpy(b, "x.npy"), typeof(InvalidDataException), (s, r) =>
        {
            // Edit the header text (shape, descr, fortran_order) and keep the data.
            int headerLength = BitConverter.ToUInt16(s, 8);
            string header = Encoding.Latin1.GetString(s, 10, headerLength);
            string[] edits = ["(3, 8)", "(3, 8, 1)", "(-3, 8)", "(3000000000, 3000000000)", "(4294967296, 4294967296, 4294967296)", "()", "(3,)", "(0, 8)", "(99999999999999999999, 1)"];
            string edited = Regex.Replace(header, @"\([^)]*\)", edits[r.Next(edits.Length)]);
            if (r.Next(3) == 0) edited = edited.Replace("'<f4'", r.Next(2) == 0 ? "'<f8'" : "'<f4");
            if (r.Next(4) == 0) edited = new string('{', r.Next(1, 5000)) + edited;
            var bytes = new List<byte>(s[..8]);
            var text = Encoding.Latin1.GetBytes(edited);
            bytes.AddRange(BitConverter.GetBytes((ushort)Math.Min(text.Length, ushort.MaxValue)));
            bytes.AddRange(text);
            bytes.AddRange(s[(10 + headerLength)..]);
            return bytes.ToArray();
        });
    }

    [Fact]
    public void SafeTensorsFile()
    {
        byte[] seed = SafeTensors.Serialize([new("a", Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3)), new("b", Tensor.FromArray([7f], 1))],
            new Dictionary<string, string> { ["format"] = "x", ["note"] = "y" });
        Fuzz("safetensors", seed, b => SafeTensors.Parse(b, "x.safetensors"), typeof(InvalidDataException), (s, r) => ReheaderSafeTensors(s, r));
    }

    // Edits the JSON header of a safetensors file and fixes up its length, so the edit reaches the entry checks.
    private static byte[] ReheaderSafeTensors(byte[] s, Random r)
    {
        int headerLength = (int)BitConverter.ToUInt64(s, 0);
        string header = Encoding.UTF8.GetString(s, 8, headerLength);
        string edited = r.Next(4) == 0 ? header.Replace("\"b\":", "\"a\":") : MutateJson(header, r); // duplicate names too
        var text = Utf8(edited);
        return [.. BitConverter.GetBytes((ulong)text.Length), .. text, .. s[(8 + headerLength)..]];
    }

    private byte[] CheckpointSeed()
    {
        var config = TrainerTests.Small(2) with
        {
            TrainLimit = 100,
            Model = new ModelConfig { NoiseDim = 4, GeneratorHidden = 8, DiscriminatorUnits = 3, DiscriminatorPieces = 2 },
            Training = new TrainingConfig { BatchSize = 50, MaxSteps = 2, LogEvery = 1, GeneratorEma = 0.9 },
        };
        var run = new RunDirectory(Path.Combine(_dir, "seed-run"));
        new GanTrainer(config, TestData.Mnist(100), run).Train();
        return File.ReadAllBytes(run.LatestCheckpoint()!);
    }

    [Fact]
    public void CheckpointFile()
    {
        string path = Path.Combine(_dir, "fuzzed.safetensors");
        Fuzz("checkpoint", CheckpointSeed(), b =>
        {
            File.WriteAllBytes(path, b);
            // What `sample` and `train --resume` do with a checkpoint: read it, build its networks, load every tensor.
            var c = Checkpoint.Read(path);
            var models = ModelFactory.Build(c.Config, null);
            Checkpoint.LoadGenerators(c, models);
            Checkpoint.LoadWeights(c, Checkpoint.DiscriminatorPrefix, models.Discriminator);
            Checkpoint.LoadOptimizer(c, Checkpoint.GeneratorOptimizerPrefix, ModelFactory.BuildOptimizer(c.Config, models.Generator, Player.Generator, batchesPerEpoch: 1));
        }, typeof(InvalidDataException), MutateConfigOrState);
    }

    [Fact]
    public void GeneratorFileExport()
    {
        // What `--model FILE` does with an exported generator: read it, build G, load every tensor.
        string path = Path.Combine(_dir, "generator.safetensors");
        var c = Checkpoint.Read(new RunDirectory(Path.Combine(_dir, "fuzz-run")).LatestCheckpoint() ?? SeedCheckpointPath());
        var models = ModelFactory.Build(c.Config, null);
        Checkpoint.LoadGenerators(c, models);
        GeneratorFile.Write(path, models.SamplingGenerator, c.Config, averaged: false, "seed");
        string fuzzed = Path.Combine(_dir, "fuzzed-generator.safetensors");
        Fuzz("generator-file", File.ReadAllBytes(path), b => { File.WriteAllBytes(fuzzed, b); GeneratorFile.Read(fuzzed); }, typeof(InvalidDataException), (s, r) =>
        {
            var content = SafeTensors.Parse(s);
            var metadata = new Dictionary<string, string>(content.Metadata);
            metadata["config"] = MutateJson(metadata["config"], r);
            return SafeTensors.Serialize(content.Tensors, metadata);
        }, inputs: 300);
    }

    private string SeedCheckpointPath()
    {
        string path = Path.Combine(_dir, "seed-checkpoint.safetensors");
        File.WriteAllBytes(path, CheckpointSeed());
        return path;
    }

    [Fact]
    public void SemiSupervisedCheckpoint()
    {
        // What `semi train --resume` does: read the checkpoint, rebuild the run on its data, restore every tensor and position.
        var config = new SemiSupervisedConfig { Labels = 10, Epochs = 1, BatchSize = 20 };
        var run = new RunDirectory(Path.Combine(_dir, "semi"));
        using (var stop = new CancellationTokenSource())
            new SemiSupervisedTrainer(config, TestData.Mnist(100), run).Train(stop.Token, onIteration: (i, _) => { if (i == 2) stop.Cancel(); });
        string fuzzed = Path.Combine(_dir, "fuzzed-semi.safetensors");
        Fuzz("semi-checkpoint", File.ReadAllBytes(run.LatestCheckpoint()!), b =>
        {
            File.WriteAllBytes(fuzzed, b);
            var c = SemiSupervisedTrainer.Read(fuzzed);
            _ = new SemiSupervisedTrainer(c.Config, TestData.Mnist(100), run, fuzzed);
        }, typeof(InvalidDataException), MutateConfigOrState, inputs: 200);
    }

    // Edits the embedded config or state JSON of a checkpoint, then writes a well-formed file around it.
    private static byte[] MutateConfigOrState(byte[] seed, Random r)
    {
        var content = SafeTensors.Parse(seed);
        var metadata = new Dictionary<string, string>(content.Metadata);
        string key = r.Next(2) == 0 ? "config" : "state";
        metadata[key] = MutateJson(metadata[key], r);
        return SafeTensors.Serialize(content.Tensors, metadata);
    }

    [Fact]
    public void MetricsCsv()
    {
        string path = Path.Combine(_dir, "metrics.csv");
        var log = new MetricsLog(path, 0);
        log.Append(new MetricsRow(10, 0.1, 1.2, 0.8, 0.6, 0.4, 0.1, 0.5, 3000));
        log.Append(new MetricsRow(20, 0.2, 1.1, 0.9, 0.55, 0.45, 0.1, 0.5, 3100) { Quality = new SampleQuality(33.9, 8.8, 10, 0.78, 0.68, 120.5) });
        log.Append(new MetricsRow(30, 0.3, 1.0, 1.0, 0.5, 0.5, 0.1, 0.5, 3200));
        byte[] seed = File.ReadAllBytes(path);
        string[] fields = ["99999999999999999999999999", "-1", "1e999", "NaN", "", "x", "3,4", "\n"];
        Fuzz("metrics.csv", seed, b => { File.WriteAllBytes(path, b); _ = new MetricsLog(path, long.MaxValue); }, typeof(InvalidDataException), (s, r) =>
        {
            var lines = Encoding.UTF8.GetString(s).Split('\n');
            int line = 1 + r.Next(lines.Length - 2);
            var cells = lines[line].Split(',');
            cells[r.Next(cells.Length)] = fields[r.Next(fields.Length)];
            lines[line] = string.Join(',', cells);
            return Utf8(string.Join('\n', lines));
        });
    }

    [Fact]
    public void ClassifierFile()
    {
        // A classifier is ~1 MB of CNN weights, so fewer inputs; the safetensors layer under it is fuzzed fully above.
        string path = Path.Combine(_dir, "classifier.safetensors");
        new FeatureClassifier("mnist", new Rng(1)).Save(path, 0.99);
        string fuzzed = Path.Combine(_dir, "fuzzed-classifier.safetensors");
        string[] values = ["", "x", "NaN", "1.5", "-0.1", "1e999", "cifar10", "imagenet", "mnist"];
        Fuzz("classifier", File.ReadAllBytes(path), b => { File.WriteAllBytes(fuzzed, b); FeatureClassifier.Load(fuzzed); }, typeof(InvalidDataException), (s, r) =>
        {
            var content = SafeTensors.Parse(s);
            var metadata = new Dictionary<string, string>(content.Metadata);
            string key = metadata.Keys.ElementAt(r.Next(metadata.Count));
            if (r.Next(4) == 0) metadata.Remove(key); else metadata[key] = values[r.Next(values.Length)];
            var tensors = content.Tensors.Where(_ => r.Next(20) != 0); // now and then a tensor goes missing
            return SafeTensors.Serialize(tensors, metadata);
        }, inputs: 300);
    }

    private static byte[] CifarRecords(int count) =>
        Enumerable.Range(0, count).SelectMany(i => new[] { (byte)(i % 10) }.Concat(Enumerable.Repeat((byte)i, Cifar10.RecordBytes - 1))).ToArray();

    [Fact]
    public void CifarBatch() => Fuzz("cifar-batch", CifarRecords(2), b => Cifar10.Parse(b, "data_batch_1.bin"), typeof(InvalidDataException));

    private static byte[] Tar(byte[] batch)
    {
        using var buffer = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(buffer, leaveOpen: true))
            tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "cifar-10-batches-bin/data_batch_1.bin") { DataStream = new MemoryStream(batch) });
        return buffer.ToArray();
    }

    [Fact]
    public void CifarArchive()
    {
        string folder = Path.Combine(_dir, "cifar");
        Fuzz("cifar-archive", Gzip(Tar(CifarRecords(1))), b => Cifar10.ExtractBatches(new MemoryStream(b), folder), typeof(InvalidDataException),
            // Mutate the tar inside (headers, sizes, checksums), then compress.
            (_, r) => Gzip(Mutate(Tar(CifarRecords(1)), r)));
    }

    /// <summary>Inputs that once crashed, hung or over-allocated (tests/fixtures/fuzz/), each refused with the documented exception.</summary>
    [Theory]
    [InlineData("npy-shape-overflow.npy")]
    [InlineData("npy-long-header.npy")]
    [InlineData("safetensors-duplicate-name.safetensors")]
    [InlineData("safetensors-metadata-number.safetensors")]
    [InlineData("safetensors-overlapping-entries.safetensors")]
    [InlineData("checkpoint-null-model.safetensors")]
    [InlineData("checkpoint-huge-config.safetensors")]
    [InlineData("checkpoint-null-rng.safetensors")]
    [InlineData("config-null-training.json")]
    [InlineData("config-wrong-types.json")]
    [InlineData("config-huge-network.json")]
    [InlineData("metrics-long-overflow.csv")]
    [InlineData("idx-gzip-bomb.idx.gz")]
    [InlineData("idx-dimension-overflow.idx")]
    public void RegressionFiles(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", "fuzz", name);
        Assert.True(File.Exists(path), $"{path} is missing");
        byte[] bytes = File.ReadAllBytes(path);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception e = name switch
        {
            _ when name.StartsWith("npy") => Assert.Throws<InvalidDataException>(() => SampleFile.ParseNpy(bytes, name)),
            _ when name.StartsWith("safetensors") => Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(bytes, name)),
            _ when name.StartsWith("checkpoint") => Assert.Throws<InvalidDataException>(() => Checkpoint.Read(path)),
            _ when name.StartsWith("config") => Assert.Throws<ConfigException>(() => ConfigIo.Load(path)),
            _ when name.StartsWith("metrics") => Assert.Throws<InvalidDataException>(() => new MetricsLog(CopyToTemp(path), long.MaxValue)),
            _ => Assert.Throws<InvalidDataException>(() => IdxFile.Parse(IdxFile.Decompress(bytes, name), name)),
        };
        Assert.Contains(name, e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before <= AllocationBound(bytes.Length), "allocated too much");
    }

    private string CopyToTemp(string path)
    {
        string copy = Path.Combine(_dir, Path.GetFileName(path));
        File.Copy(path, copy, overwrite: true);
        return copy;
    }
}
