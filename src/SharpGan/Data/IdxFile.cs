using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpGan.Data;

/// <summary>An IDX array of unsigned bytes: dimensions (outermost first) and the values row-major.</summary>
public sealed record IdxArray(int[] Dimensions, byte[] Values)
{
    /// <summary>Number of records (the first dimension).</summary>
    public int Count => Dimensions[0];

    /// <summary>Bytes per record (product of the other dimensions).</summary>
    public int RecordSize => Dimensions.Length == 1 ? 1 : Values.Length / Dimensions[0];
}

/// <summary>
/// Reads and writes the IDX format of MNIST and Fashion-MNIST, gzip-compressed or raw: magic bytes
/// 0x00 0x00, a type byte (0x08 = unsigned byte, the only type these datasets use), a dimension count,
/// then each dimension as a big-endian int32, then the values.
/// </summary>
public static class IdxFile
{
    /// <summary>Reads a file (gzip detected from its first bytes). Throws <see cref="InvalidDataException"/> naming the file and the fault.</summary>
    public static IdxArray Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read ({e.Message})", e);
        }
        return Parse(Decompress(bytes, path), path);
    }

    /// <summary>The raw IDX bytes: gunzipped when the data starts with the gzip magic, else as is.</summary>
    public static byte[] Decompress(byte[] bytes, string source)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: corrupt gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source}: gzip data ends early (truncated download?)", e);
        }
    }

    /// <summary>Parses raw (uncompressed) IDX bytes.</summary>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 4) throw new InvalidDataException($"{source}: too short for an IDX header ({bytes.Length} bytes)");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{source}: not an IDX file (magic bytes {bytes[0]:x2} {bytes[1]:x2}, expected 00 00)");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"{source}: IDX element type 0x{bytes[2]:x2} is not supported (only 0x08, unsigned byte)");
        int rank = bytes[3];
        if (rank is < 1 or > 4) throw new InvalidDataException($"{source}: IDX dimension count {rank} is outside 1–4");
        if (bytes.Length < 4 + 4 * rank) throw new InvalidDataException($"{source}: truncated IDX header");
        var dims = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
            if (dims[d] <= 0) throw new InvalidDataException($"{source}: IDX dimension {d} is {dims[d]}");
            count *= dims[d];
        }
        long available = bytes.Length - (4 + 4 * rank);
        if (available != count)
            throw new InvalidDataException(available < count
                ? $"{source}: truncated: header promises {count} values ({string.Join("×", dims)}) but only {available} bytes follow"
                : $"{source}: {available - count} unexpected bytes after the {count} values the header declares");
        return new IdxArray(dims, bytes[(4 + 4 * rank)..].ToArray());
    }

    /// <summary>Writes an unsigned-byte IDX file, gzip-compressed when the path ends in ".gz". Atomic.</summary>
    public static void Write(string path, IdxArray array)
    {
        long count = 1;
        foreach (int d in array.Dimensions) count *= d;
        if (count != array.Values.Length) throw new ArgumentException($"dimensions {string.Join("×", array.Dimensions)} need {count} values, got {array.Values.Length}", nameof(array));
        var raw = new byte[4 + 4 * array.Dimensions.Length + array.Values.Length];
        raw[2] = 0x08;
        raw[3] = (byte)array.Dimensions.Length;
        for (int d = 0; d < array.Dimensions.Length; d++) BinaryPrimitives.WriteInt32BigEndian(raw.AsSpan(4 + 4 * d), array.Dimensions[d]);
        array.Values.CopyTo(raw, 4 + 4 * array.Dimensions.Length);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(raw);
            raw = buffer.ToArray();
        }
        Tensors.AtomicFile.WriteAllBytes(path, raw);
    }
}
