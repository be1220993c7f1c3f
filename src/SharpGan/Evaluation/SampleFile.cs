using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SharpGan.Data;

namespace SharpGan.Evaluation;

/// <summary>
/// Reads a sample set produced anywhere, to score it on the same yardstick: IDX unsigned-byte images
/// (count, 28, 28) or (count, 784), scaled by 1/255; or NumPy .npy float32 of shape (count, dim) with values
/// in [0, 1] (little-endian, C order). <see cref="WriteNpy"/> writes the latter, so a run's samples can be
/// taken elsewhere and brought back.
/// </summary>
public static partial class SampleFile
{
    /// <summary>Returns (count, dim, values row-major). Throws <see cref="InvalidDataException"/> naming the fault.</summary>
    public static (int Count, int Dim, float[] Values) Read(string path, int expectedDim)
    {
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

    [GeneratedRegex(@"'descr':\s*'([^']*)'.*'fortran_order':\s*(True|False).*'shape':\s*\(([^)]*)\)", RegexOptions.Singleline)]
    private static partial Regex NpyHeader();

    private static (int Count, int Dim, float[] Values) ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not a .npy file (bad magic)");
        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int dataStart = (major == 1 ? 10 : 12) + headerLength;
        if (dataStart > bytes.Length) throw new InvalidDataException($"{path}: truncated .npy header");
        string header = Encoding.ASCII.GetString(bytes, major == 1 ? 10 : 12, headerLength);
        var m = NpyHeader().Match(header);
        if (!m.Success) throw new InvalidDataException($"{path}: cannot read the .npy header");
        if (m.Groups[1].Value is not ("<f4" or "=f4")) throw new InvalidDataException($"{path}: dtype {m.Groups[1].Value} is not float32 (<f4); save with .astype(np.float32)");
        if (m.Groups[2].Value == "True") throw new InvalidDataException($"{path}: Fortran-ordered arrays are not supported; save a C-ordered array");
        int[] shape = m.Groups[3].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        if (shape.Length < 2) throw new InvalidDataException($"{path}: shape ({m.Groups[3].Value}) must be (count, dim) or (count, 28, 28)");
        int count = shape[0], dim = shape.Skip(1).Aggregate(1, (a, b) => a * b);
        long needed = (long)count * dim * 4;
        if (bytes.Length - dataStart != needed) throw new InvalidDataException($"{path}: holds {bytes.Length - dataStart} data bytes, shape ({m.Groups[3].Value}) of float32 needs {needed}");
        var values = new float[count * dim];
        for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + 4 * i));
        return (count, dim, values);
    }
}
