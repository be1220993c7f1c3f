using System.Buffers.Binary;
using System.IO.Compression;

namespace SharpGan.IO;

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
        return Parse(Decompress(FileBytes.Read(path), path), path);
    }

    /// <summary>
    /// The raw IDX bytes: gunzipped when the data starts with the gzip magic, else as is. The IDX header is inflated
    /// and checked first, and no more is inflated than it declares (plus one byte to detect trailing data), so a
    /// small file cannot cost more memory than the array it claims to hold, and a gzip bomb is refused early.
    /// </summary>
    public static byte[] Decompress(byte[] bytes, string source)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            var header = new byte[4 + 4 * MaxRank];
            int got = gzip.ReadAtLeast(header.AsSpan(0, 4), 4, throwOnEndOfStream: false);
            if (got == 4 && header[0] == 0 && header[1] == 0 && header[3] is >= 1 and <= MaxRank)
                got += gzip.ReadAtLeast(header.AsSpan(4, 4 * header[3]), 4 * header[3], throwOnEndOfStream: false);
            long declared = DeclaredLength(header.AsSpan(0, got), source);
            // Never inflated beyond the declared length + 1 (the one byte that tells of trailing data).
            byte[] rest = StreamBytes.ReadAtMost(gzip, declared + 1 - got);
            if (got + rest.Length > declared)
                throw new InvalidDataException($"{source}: the gzip data holds more than the {declared} bytes its IDX header declares");
            return [.. header.AsSpan(0, got), .. rest];
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(source, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{source}: corrupt gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{source}: gzip data ends early (truncated download?)", e);
        }
    }

    private const int MaxRank = 4;

    /// <summary>
    /// Checks an IDX header (magic, element type, rank, dimensions) and returns the file length it declares:
    /// header plus values. Refuses products that overflow or exceed what one array can hold.
    /// </summary>
    private static long DeclaredLength(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 4) throw new InvalidDataException($"{source}: too short for an IDX header ({bytes.Length} bytes)");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"{source}: not an IDX file (magic bytes {bytes[0]:x2} {bytes[1]:x2}, expected 00 00)");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"{source}: IDX element type 0x{bytes[2]:x2} is not supported (only 0x08, unsigned byte)");
        int rank = bytes[3];
        if (rank is < 1 or > MaxRank) throw new InvalidDataException($"{source}: IDX dimension count {rank} is outside 1–{MaxRank}");
        if (bytes.Length < 4 + 4 * rank) throw new InvalidDataException($"{source}: truncated IDX header");
        long count = 1;
        for (int d = 0; d < rank; d++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
            if (size <= 0) throw new InvalidDataException($"{source}: IDX dimension {d} is {size}");
            count *= size; // ≤ int.MaxValue² before the check below stops it, so no overflow
            if (count > Array.MaxLength - 4 - 4 * rank)
                throw new InvalidDataException($"{source}: the IDX header declares more than {Array.MaxLength - 4 - 4 * rank} values");
        }
        return 4 + 4 * rank + count;
    }

    /// <summary>Parses raw (uncompressed) IDX bytes.</summary>
    public static IdxArray Parse(ReadOnlySpan<byte> bytes, string source)
    {
        long declared = DeclaredLength(bytes, source);
        int rank = bytes[3];
        var dims = new int[rank];
        for (int d = 0; d < rank; d++) dims[d] = BinaryPrimitives.ReadInt32BigEndian(bytes[(4 + 4 * d)..]);
        long count = declared - (4 + 4 * rank), available = bytes.Length - (4 + 4 * rank);
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
        AtomicFile.WriteAllBytes(path, raw);
    }
}
