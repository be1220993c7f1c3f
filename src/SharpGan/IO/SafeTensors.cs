using System.Buffers.Binary;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using SharpGan.Tensors;

namespace SharpGan.IO;

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
        return Parse(FileBytes.Read(path), path);
    }

    /// <summary>
    /// Parses safetensors bytes; <paramref name="source"/> names them in error messages. Every entry is checked
    /// (dtype, shape, offsets) and the entries must tile the data section exactly, as the format requires, before
    /// anything is allocated: what is allocated is at most the size of the data section.
    /// </summary>
    public static Content Parse(ReadOnlySpan<byte> bytes, string source = "safetensors data")
    {
        if (bytes.Length < 8) throw Bad(source, $"too short to be a safetensors file ({bytes.Length} bytes)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(bytes.Length - 8))
            throw Bad(source, $"header length {headerLength} does not fit in a {bytes.Length}-byte file (truncated or not safetensors)");
        var data = bytes[(8 + (int)headerLength)..];
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Slice(8, (int)headerLength))) throw Bad(source, "header is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes.Slice(8, (int)headerLength).ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            throw Bad(source, $"header is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw Bad(source, "header is not a JSON object");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!names.Add(property.Name)) throw Bad(source, $"'{property.Name}' appears twice in the header");
                    if (property.Name == "__metadata__") ReadMetadata(property.Value, metadata, source);
                    else entries.Add(ReadEntry(property.Name, property.Value, data.Length, source));
                }
            }
            catch (InvalidOperationException) // a \u escape that is not valid UTF-16 (a lone surrogate) in a name or value
            {
                throw Bad(source, "header holds a string that is not valid Unicode");
            }
            // The format's rule: entries cover the data section without gaps or overlaps. It also bounds what is
            // allocated below by the file's size, whatever the header claims.
            long at = 0;
            foreach (var e in entries.OrderBy(e => e.Begin))
            {
                if (e.Begin != at) throw Bad(source, $"tensor '{e.Name}' starts at byte {e.Begin} of the data section, expected {at} (entries must tile the data without gaps or overlaps)");
                at = e.End;
            }
            if (at != data.Length) throw Bad(source, $"the tensors cover {at} bytes of a {data.Length}-byte data section");
            var tensors = new Dictionary<string, Tensor>(entries.Count);
            foreach (var e in entries)
            {
                var values = new float[(e.End - e.Begin) / 4];
                var raw = data.Slice((int)e.Begin, (int)(e.End - e.Begin));
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                // Scalars (shape []) become shape [1]: SharpGAN tensors have rank ≥ 1.
                tensors[e.Name] = Tensor.FromArray(values, e.Shape.Length == 0 ? [1] : e.Shape);
            }
            return new Content(tensors, metadata);
        }
    }

    private sealed record Entry(string Name, int[] Shape, long Begin, long End);

    private static InvalidDataException Bad(string source, string what) => new($"{source}: {what}");

    private static void ReadMetadata(JsonElement node, Dictionary<string, string> metadata, string source)
    {
        if (node.ValueKind != JsonValueKind.Object) throw Bad(source, "__metadata__ is not an object of strings");
        foreach (var item in node.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw Bad(source, $"metadata '{item.Name}' is a {Kind(item.Value)}, not a string");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw Bad(source, $"metadata '{item.Name}' appears twice");
        }
    }

    private static Entry ReadEntry(string name, JsonElement node, int dataLength, string source)
    {
        string where = $"tensor '{name}'";
        if (node.ValueKind != JsonValueKind.Object) throw Bad(source, $"{where} is a {Kind(node)}, not an object");
        if (!node.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw Bad(source, $"{where} has no dtype string");
        if (dtype.GetString() != "F32") throw Bad(source, $"{where} has dtype {dtype.GetString()}; SharpGAN reads F32 only");
        if (!node.TryGetProperty("shape", out var shapeNode) || shapeNode.ValueKind != JsonValueKind.Array)
            throw Bad(source, $"{where} has no shape list");
        var shape = new int[shapeNode.GetArrayLength()];
        if (shape.Length > 8) throw Bad(source, $"{where} has {shape.Length} dimensions (at most 8)");
        long count = 1;
        int k = 0;
        foreach (var d in shapeNode.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int size) || size <= 0)
                throw Bad(source, $"{where} has dimension {d.GetRawText()}; dimensions are positive whole numbers");
            shape[k++] = size;
            count *= size; // each factor ≤ the data size (checked next), so this cannot overflow
            if (count * 4 > dataLength) throw Bad(source, $"{where} [{Shapes.Format(shape.AsSpan(0, k))}…] needs more bytes than the {dataLength}-byte data section holds (truncated file?)");
        }
        long begin = 0, end = 0;
        if (!node.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
            || !offsets[0].TryGetInt64(out begin) || !offsets[1].TryGetInt64(out end))
            throw Bad(source, $"{where} needs data_offsets [begin, end] of two whole numbers");
        if (end > dataLength && begin >= 0 && end - begin == count * 4)
            throw Bad(source, $"{where} ends at byte {end} of the data section but only {dataLength} bytes follow the header: the file is truncated");
        if (begin < 0 || end < begin || end > dataLength || end - begin != count * 4)
            throw Bad(source, $"{where} [{Shapes.Format(shape)}] has data offsets [{begin}, {end}) that do not match its size or the {dataLength}-byte data section");
        foreach (var property in node.EnumerateObject())
            if (property.Name is not ("dtype" or "shape" or "data_offsets")) throw Bad(source, $"{where} has an unknown field '{property.Name}'");
        return new Entry(name, shape, begin, end);
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object", JsonValueKind.Array => "list", JsonValueKind.String => "string",
        JsonValueKind.Number => "number", JsonValueKind.True or JsonValueKind.False => "boolean", _ => "null",
    };

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
