namespace SharpGan.IO;

/// <summary>Reading from a stream whose declared sizes may lie (a hostile header, a gzip bomb).</summary>
internal static class StreamBytes
{
    /// <summary>
    /// Up to <paramref name="maxBytes"/> bytes from <paramref name="stream"/>, fewer when it ends first. The buffer grows
    /// with what actually arrives, so a header that claims gigabytes costs only what the stream really holds.
    /// </summary>
    public static byte[] ReadAtMost(Stream stream, long maxBytes)
    {
        using var output = new MemoryStream();
        var chunk = new byte[(int)Math.Clamp(maxBytes, 1, 81920)];
        while (output.Length < maxBytes)
        {
            int n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, maxBytes - output.Length));
            if (n == 0) break;
            output.Write(chunk, 0, n);
        }
        return output.ToArray();
    }
}
