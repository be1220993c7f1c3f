using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SharpGan.IO;

/// <summary>
/// Reads a sample set produced anywhere, to score it on the same yardstick: IDX unsigned-byte images
/// (count, 28, 28) or (count, 784), scaled by 1/255; or NumPy .npy float32 of shape (count, dim) with values
/// in [0, 1] (little-endian, C order). <see cref="WriteNpy"/> writes the latter, so a run's samples can be
/// taken elsewhere and brought back.
/// </summary>
public static class SampleFile
{
    /// <summary>Returns (count, dim, values row-major). Throws <see cref="InvalidDataException"/> naming the fault.</summary>
    public static (int Count, int Dim, float[] Values) Read(string path, int expectedDim)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected a sample file (.npy or IDX)");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: sample file not found");
        var result = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? ReadNpy(path) : ReadIdx(path);
        if (result.Dim != expectedDim)
            throw new InvalidDataException($"{path}: samples have {result.Dim} values each, expected {expectedDim} (the pixels of one of the dataset's images)");
        for (int i = 0; i < result.Values.Length; i++)
        {
            float v = result.Values[i];
            if (!(v >= -1e-6f && v <= 1f + 1e-6f))
                throw new InvalidDataException($"{path}: value {v} at index {i} is outside [0, 1]; scale samples to [0, 1] first");
        }
        return result;
    }

    /// <summary>
    /// A float32 .npy matrix (count, dim) of finite values in any range — e.g. noise vectors z to feed a generator.
    /// Throws <see cref="InvalidDataException"/> naming the fault.
    /// </summary>
    public static (int Count, int Dim, float[] Values) ReadMatrix(string path, int expectedDim, string what)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder; expected a .npy file of {what}");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: file not found");
        if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new InvalidDataException($"{path}: {what} are read from a .npy file (float32, shape (count, {expectedDim}))");
        var result = ReadNpy(path);
        if (result.Dim != expectedDim) throw new InvalidDataException($"{path}: {what} have {result.Dim} values each, expected {expectedDim}");
        int bad = Array.FindIndex(result.Values, v => !float.IsFinite(v));
        if (bad >= 0) throw new InvalidDataException($"{path}: value {result.Values[bad]} at index {bad} is not finite");
        return result;
    }

    /// <summary>
    /// Writes <paramref name="values"/> (count × dim, row-major) as a version-1 .npy float32 array of shape
    /// (count, dim), mapping [<paramref name="low"/>, 1] linearly onto [0, 1] so the file is in the range
    /// <see cref="Read"/> expects. Written to a temporary name and moved into place, so an existing file is
    /// replaced whole or not at all.
    /// </summary>
    public static void WriteNpy(string path, ReadOnlySpan<float> values, int count, int dim, float low = 0f)
    {
        if ((long)count * dim != values.Length) throw new ArgumentException($"{values.Length} values are not {count} × {dim}");
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({count}, {dim}), }}";
        // Magic (6) + version (2) + length (2) + header + '\n' must be a multiple of 64 (the format's alignment).
        int padded = (10 + header.Length + 1 + 63) / 64 * 64;
        header = header.PadRight(padded - 10 - 1) + "\n";
        var bytes = new byte[padded + 4L * values.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, bytes.AsSpan(10));
        float scale = 1f / (1f - low);
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(padded + 4 * i), Math.Clamp((values[i] - low) * scale, 0f, 1f));
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    private static (int Count, int Dim, float[] Values) ReadIdx(string path)
    {
        var idx = IdxFile.Read(path);
        if (idx.Dimensions.Length < 2) throw new InvalidDataException($"{path}: IDX samples need (count, …) with at least 2 dimensions");
        return (idx.Count, idx.RecordSize, idx.Values.Select(b => b / 255f).ToArray());
    }

    /// <summary>NumPy's own reader refuses headers longer than this (numpy.lib.format, max_header_size).</summary>
    private const int MaxNpyHeaderBytes = 10_000;

    private static (int Count, int Dim, float[] Values) ReadNpy(string path) => ParseNpy(FileBytes.Read(path), path);

    /// <summary>
    /// Parses .npy bytes (format versions 1–3): the header is read as the Python dict literal it is, by a small
    /// parser that looks at each character once, and the shape is checked against the bytes that follow before
    /// anything is allocated. Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and the fault.
    /// </summary>
    internal static (int Count, int Dim, float[] Values) ParseNpy(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93 || !bytes.Slice(1, 5).SequenceEqual("NUMPY"u8))
            throw new InvalidDataException($"{source}: not a .npy file (bad magic)");
        int major = bytes[6];
        if (major is < 1 or > 3) throw new InvalidDataException($"{source}: .npy format version {major}.{bytes[7]} is not supported (1.0–3.0)");
        int prefix = major == 1 ? 10 : 12;
        if (bytes.Length < prefix) throw new InvalidDataException($"{source}: truncated .npy header");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (headerLength > MaxNpyHeaderBytes) throw new InvalidDataException($"{source}: .npy header of {headerLength} bytes is longer than NumPy allows ({MaxNpyHeaderBytes})");
        if (prefix + headerLength > bytes.Length) throw new InvalidDataException($"{source}: truncated .npy header");
        var headerBytes = bytes.Slice(prefix, (int)headerLength);
        string header = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var (descr, fortran, shape) = NpyHeader.Parse(header, source);
        if (descr is not ("<f4" or "=f4")) throw new InvalidDataException($"{source}: dtype {descr} is not float32 (<f4); save with .astype(np.float32)");
        if (fortran) throw new InvalidDataException($"{source}: Fortran-ordered arrays are not supported; save a C-ordered array");
        string shown = string.Join(", ", shape);
        if (shape.Count < 2) throw new InvalidDataException($"{source}: shape ({shown}) must be (count, dim) or (count, 28, 28)");
        long dataBytes = bytes.Length - prefix - headerLength, values = 1;
        foreach (long d in shape)
        {
            if (d <= 0) throw new InvalidDataException($"{source}: shape ({shown}) has an empty dimension; the file holds no samples");
            values *= d; // each factor ≤ 2^40 (the parser's bound) and the running product ≤ the file size, so no overflow
            if (values * 4 > dataBytes) throw new InvalidDataException($"{source}: shape ({shown}) of float32 needs more than the {dataBytes} data bytes the file holds");
        }
        if (values * 4 != dataBytes) throw new InvalidDataException($"{source}: holds {dataBytes} data bytes, shape ({shown}) of float32 needs {values * 4}");
        int count = (int)shape[0], dim = (int)(values / count);
        var result = new float[values];
        var data = bytes[(prefix + (int)headerLength)..];
        for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
        return (count, dim, result);
    }
}

/// <summary>
/// The .npy header: a Python dict literal such as <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (10, 784), }</c>.
/// Read by recursive descent over the three keys NumPy writes; anything else is refused, as NumPy refuses it.
/// </summary>
internal ref struct NpyHeader
{
    private readonly string _text, _source;
    private int _at;

    private NpyHeader(string text, string source) { _text = text; _source = source; _at = 0; }

    public static (string Descr, bool Fortran, List<long> Shape) Parse(string text, string source)
    {
        var p = new NpyHeader(text, source);
        string? descr = null;
        bool? fortran = null;
        List<long>? shape = null;
        p.Expect('{');
        while (!p.TryTake('}'))
        {
            string key = p.QuotedString();
            p.Expect(':');
            switch (key)
            {
                case "descr" when descr is null: descr = p.QuotedString(); break;
                case "fortran_order" when fortran is null: fortran = p.Boolean(); break;
                case "shape" when shape is null: shape = p.Tuple(); break;
                default: throw p.Bad($"unexpected or repeated key '{key}'");
            }
            if (!p.TryTake(',')) { p.Expect('}'); break; }
        }
        p.SkipSpace();
        if (p._at != text.Length) throw p.Bad("text after the header's closing brace");
        if (descr is null || fortran is null || shape is null) throw p.Bad("the header needs descr, fortran_order and shape");
        return (descr, fortran.Value, shape);
    }

    private InvalidDataException Bad(string what) => new($"{_source}: cannot read the .npy header: {what} (at character {_at})");

    private void SkipSpace()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\n' or '\r') _at++;
    }

    private bool TryTake(char c)
    {
        SkipSpace();
        if (_at < _text.Length && _text[_at] == c) { _at++; return true; }
        return false;
    }

    private void Expect(char c)
    {
        if (!TryTake(c)) throw Bad($"expected '{c}'");
    }

    private string QuotedString()
    {
        SkipSpace();
        if (_at >= _text.Length || _text[_at] is not ('\'' or '"')) throw Bad("expected a quoted string");
        char quote = _text[_at++];
        int start = _at;
        while (_at < _text.Length && _text[_at] != quote)
        {
            if (_at - start > 64) throw Bad("string too long");
            _at++;
        }
        if (_at >= _text.Length) throw Bad("unterminated string");
        return _text[start.._at++];
    }

    private bool Boolean()
    {
        SkipSpace();
        foreach (var (word, value) in new[] { ("True", true), ("False", false) })
            if (string.CompareOrdinal(_text, _at, word, 0, word.Length) == 0) { _at += word.Length; return value; }
        throw Bad("expected True or False");
    }

    private List<long> Tuple()
    {
        Expect('(');
        var values = new List<long>();
        while (!TryTake(')'))
        {
            if (values.Count == 32) throw Bad("more than 32 dimensions");
            SkipSpace();
            int start = _at;
            while (_at < _text.Length && char.IsAsciiDigit(_text[_at])) _at++;
            // At most 12 digits (< 2^40) per dimension: larger cannot match any file this reader accepts.
            if (_at == start || _at - start > 12) throw Bad("a dimension is not a whole number of at most 12 digits");
            values.Add(long.Parse(_text.AsSpan(start, _at - start), CultureInfo.InvariantCulture));
            if (!TryTake(',')) { Expect(')'); break; }
        }
        return values;
    }
}
