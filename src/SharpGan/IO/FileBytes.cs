namespace SharpGan.IO;

/// <summary>
/// Reads a whole input file with its size known before a byte is read. File.ReadAllBytes reads until end of file,
/// so a path such as /dev/zero or /dev/stdin (a user's slip, or a hostile link) would hang or fill memory; here a file
/// that reports no length (empty, a device, a pipe) or more than the reader's limit is refused, and no more than the
/// reported length is ever read.
/// </summary>
internal static class FileBytes
{
    /// <summary>
    /// The file's bytes. Throws <see cref="InvalidDataException"/> naming the file when it is empty or not a regular
    /// file, larger than <paramref name="maxBytes"/>, or cannot be read; <see cref="FileNotFoundException"/> when absent.
    /// </summary>
    public static byte[] Read(string path, long maxBytes = int.MaxValue)
    {
        if (Directory.Exists(path)) throw new InvalidDataException($"{path}: is a folder, not a file");
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{path}: file not found", path);
        if (info.LinkTarget is not null && File.ResolveLinkTarget(path, returnFinalTarget: true) is FileInfo target) info = target;
        long length = info.Exists ? info.Length : 0;
        if (length == 0) throw new InvalidDataException($"{path}: is empty or not a regular file");
        if (length > Math.Min(maxBytes, Array.MaxLength))
            throw new InvalidDataException($"{path}: {length:N0} bytes is larger than this kind of file can be ({Math.Min(maxBytes, Array.MaxLength):N0} at most)");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var bytes = new byte[length];
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (read < bytes.Length) throw new InvalidDataException($"{path}: shrank while being read ({read:N0} of {length:N0} bytes)");
            return bytes;
        }
        catch (Exception e) when (e is IOException and not FileNotFoundException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read ({e.Message})", e);
        }
    }
}
