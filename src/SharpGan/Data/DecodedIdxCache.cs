using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using SharpGan.IO;

namespace SharpGan.Data;

/// <summary>
/// Decompressed copies of verified .gz dataset files in the user cache (~/.cache/sharpgan/decoded/), so a command that
/// loads MNIST's training images reads 47 MB instead of inflating 10 MB and hashing the result (≈ 0.3 s → ≈ 0.05 s).
/// An entry stands for one source file as it was (full path, length, modification time) and carries an XxHash128 of its
/// content; an entry that does not match its source, is cut short or fails its hash is ignored and written anew, never
/// trusted. It is read only after the source file was found where the lookup order says, so it never changes which
/// copy of a dataset is used.
/// </summary>
internal static class DecodedIdxCache
{
    private const ulong Magic = 0x3144_4f43_4544_4753; // "SGDECOD1"
    private const int FixedHeader = 8 + 8 + 8 + 8 + 16 + 4; // magic, source length, source mtime ticks, content length, hash, path length
    private const int MaxPathBytes = 4096;

    /// <summary>$XDG_CACHE_HOME/sharpgan/decoded or ~/.cache/sharpgan/decoded.</summary>
    public static string Folder => Path.Combine(Path.GetDirectoryName(DatasetLocator.CacheRoot)!, "decoded");

    private static string EntryPath(DatasetFile file, string folder) => Path.Combine(folder, $"{file.ContentSha256[..32]}.idx");

    /// <summary>The cached content of <paramref name="source"/> (verified once as <paramref name="file"/>), or null.</summary>
    public static byte[]? TryRead(string source, DatasetFile file, string? folder = null)
    {
        string path = EntryPath(file, folder ?? Folder);
        try
        {
            var info = new FileInfo(source);
            byte[] sourcePath = Encoding.UTF8.GetBytes(Path.GetFullPath(source));
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (stream.Length != FixedHeader + sourcePath.Length + file.ContentBytes) return null; // bounds every read below
            Span<byte> header = stackalloc byte[FixedHeader];
            stream.ReadExactly(header);
            if (BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic
                || BinaryPrimitives.ReadInt64LittleEndian(header[8..]) != info.Length
                || BinaryPrimitives.ReadInt64LittleEndian(header[16..]) != info.LastWriteTimeUtc.Ticks
                || BinaryPrimitives.ReadInt64LittleEndian(header[24..]) != file.ContentBytes
                || BinaryPrimitives.ReadInt32LittleEndian(header[48..]) != sourcePath.Length) return null;
            var storedPath = new byte[sourcePath.Length];
            stream.ReadExactly(storedPath);
            if (!storedPath.AsSpan().SequenceEqual(sourcePath)) return null;
            var content = new byte[file.ContentBytes];
            stream.ReadExactly(content);
            return XxHash128.Hash(content).AsSpan().SequenceEqual(header.Slice(32, 16)) ? content : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Stores <paramref name="content"/>, already verified as <paramref name="file"/>, decompressed from <paramref name="source"/>.</summary>
    public static void Write(string source, DatasetFile file, byte[] content, string? folder = null)
    {
        folder ??= Folder;
        try
        {
            var info = new FileInfo(source);
            byte[] sourcePath = Encoding.UTF8.GetBytes(Path.GetFullPath(source));
            if (sourcePath.Length > MaxPathBytes || content.Length != file.ContentBytes) return;
            var entry = new byte[FixedHeader + sourcePath.Length + content.Length];
            var header = entry.AsSpan(0, FixedHeader);
            BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], info.Length);
            BinaryPrimitives.WriteInt64LittleEndian(header[16..], info.LastWriteTimeUtc.Ticks);
            BinaryPrimitives.WriteInt64LittleEndian(header[24..], content.Length);
            XxHash128.Hash(content, header.Slice(32, 16));
            BinaryPrimitives.WriteInt32LittleEndian(header[48..], sourcePath.Length);
            sourcePath.CopyTo(entry, FixedHeader);
            content.CopyTo(entry, FixedHeader + sourcePath.Length);
            Directory.CreateDirectory(folder);
            AtomicFile.WriteAllBytes(EntryPath(file, folder), entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written costs time on the next load, nothing else.
        }
    }
}
