using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SharpGan.Tensors;

/// <summary>
/// Reads and writes the safetensors format (the one PyTorch users load with <c>safetensors.torch.load_file</c>):
/// an 8-byte little-endian header length N, N bytes of JSON mapping each name to
/// {"dtype", "shape", "data_offsets": [begin, end)} relative to the data section, optional "__metadata__"
/// of string pairs, then the raw little-endian data. SharpGAN stores float32 (dtype "F32") only.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100 * 1024 * 1024;

    /// <summary>Tensors and metadata read from a file.</summary>
    public sealed record Content(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>Reads a file; throws <see cref="InvalidDataException"/> naming the file and the fault when it is not valid safetensors.</summary>
    public static Content Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read ({e.Message})", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names them in error messages.</summary>
    public static Content Parse(ReadOnlySpan<byte> bytes, string source = "safetensors data")
    {
        if (bytes.Length < 8) throw new InvalidDataException($"{source}: too short to be a safetensors file ({bytes.Length} bytes)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > bytes.Length - 8)
            throw new InvalidDataException($"{source}: header length {headerLength} does not fit in a {bytes.Length}-byte file (truncated or not safetensors)");
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(bytes.Slice(8, (int)headerLength)))?.AsObject()
                     ?? throw new InvalidDataException($"{source}: header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: header is not valid JSON ({e.Message})", e);
        }
        var data = bytes[(8 + (int)headerLength)..];
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is JsonObject meta)
                    foreach (var (k, v) in meta) metadata[k] = v?.GetValue<string>() ?? "";
                continue;
            }
            tensors[name] = ReadEntry(name, node, data, source);
        }
        return new Content(tensors, metadata);
    }

    private static Tensor ReadEntry(string name, JsonNode? node, ReadOnlySpan<byte> data, string source)
    {
        try
        {
            string dtype = node!["dtype"]!.GetValue<string>();
            if (dtype != "F32") throw new InvalidDataException($"{source}: tensor '{name}' has dtype {dtype}; SharpGAN reads F32 only");
            int[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            long count = 1;
            foreach (int d in shape)
            {
                if (d < 0) throw new InvalidDataException($"{source}: tensor '{name}' has a negative dimension");
                count *= d;
            }
            if (begin < 0 || end < begin || end > data.Length || end - begin != count * 4)
                throw new InvalidDataException($"{source}: tensor '{name}' [{ShapeUtil.Format(shape)}] has data offsets [{begin}, {end}) that do not match its size or the {data.Length}-byte data section");
            var values = new float[count];
            var raw = data.Slice((int)begin, (int)(end - begin));
            for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
            // Scalars (shape []) become shape [1]: SharpGAN tensors have rank ≥ 1.
            return Tensor.FromArray(values, shape.Length == 0 ? [1] : shape);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{source}: entry '{name}' is malformed ({e.Message})", e);
        }
    }

    /// <summary>Serialises tensors (sorted by name) and metadata to safetensors bytes.</summary>
    public static byte[] Serialize(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, t) in ordered)
        {
            if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved and cannot name a tensor", nameof(tensors));
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + 4L * t.Length),
            };
            offset += 4L * t.Length;
        }
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // 8-byte alignment of the data section, padded with spaces as the reference writer does
        var bytes = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        int position = 8 + padded;
        foreach (var (_, t) in ordered)
        {
            foreach (float v in t.Data)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(position), v);
                position += 4;
            }
        }
        return bytes;
    }

    /// <summary>
    /// Writes atomically: to a temporary file in the same folder, flushed to disk, then renamed over
    /// <paramref name="path"/>, so a crash leaves either the old file or the new one, never a torn one.
    /// </summary>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.WriteAllBytes(path, Serialize(tensors, metadata));
}
