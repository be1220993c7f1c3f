namespace SharpGan.IO;

/// <summary>Crash-safe file replacement: write a temporary sibling, flush it, rename it over the target.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Crash tests only: $SHARPGAN_TEST_PAUSE_BEFORE_RENAME_MS holds each write this long between the flushed temporary
    /// file and its rename, so a test can kill the process mid-write for certain. Unset (always, outside tests): no pause.
    /// </summary>
    private static readonly int PauseBeforeRenameMs =
        int.TryParse(Environment.GetEnvironmentVariable("SHARPGAN_TEST_PAUSE_BEFORE_RENAME_MS"), out int ms) ? Math.Clamp(ms, 0, 10_000) : 0;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Environment.ProcessId;
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            if (PauseBeforeRenameMs > 0) Thread.Sleep(PauseBeforeRenameMs);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Replaces <paramref name="path"/> with UTF-8 text atomically.</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
