using System.Security.Cryptography;
using SharpGan.IO;

namespace SharpGan.Data;

/// <summary>Raised when a dataset cannot be found or fetched; the message names every place looked.</summary>
public sealed class DatasetNotFoundException(string message) : Exception(message);

/// <summary>
/// Finds a dataset's files and verifies them. Lookup order: the explicit data folder (--data-dir), then
/// $SHARPGAN_DATA, then the user cache, then system folders (Debian's dataset packages); each as a folder
/// holding &lt;name&gt;/ or the files themselves. If none has the files, they are downloaded from the dataset's
/// mirrors into the cache, verified, and only then used. Files may be .gz or already decompressed.
/// </summary>
public sealed class DatasetLocator
{
    private readonly string? _dataDir;
    private readonly bool _allowDownload;

    /// <summary>Where downloads go: $XDG_CACHE_HOME/sharpgan/datasets or ~/.cache/sharpgan/datasets.</summary>
    public static string CacheRoot
    {
        get
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string baseDir = string.IsNullOrEmpty(xdg) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : xdg;
            return Path.Combine(baseDir, "sharpgan", "datasets");
        }
    }

    /// <summary>
    /// Creates a locator. <paramref name="allowDownload"/> false never touches the network; null (the default)
    /// downloads unless the environment sets SHARPGAN_OFFLINE=1.
    /// </summary>
    public DatasetLocator(string? dataDir = null, bool? allowDownload = null)
    {
        _dataDir = dataDir;
        _allowDownload = allowDownload ?? Environment.GetEnvironmentVariable("SHARPGAN_OFFLINE") != "1";
    }

    /// <summary>Candidate folders in lookup order.</summary>
    public IReadOnlyList<string> CandidateFolders(DatasetInfo info) => CandidateFolders(info.Name, info.SystemFolders);

    /// <summary>Candidate folders for a dataset called <paramref name="name"/>, in lookup order.</summary>
    public IReadOnlyList<string> CandidateFolders(string name, IEnumerable<string> systemFolders) =>
        Candidates(name, systemFolders).Select(c => c.Folder).ToList();

    // Each candidate, and whether it is the dataset's own folder (DIR/<name>/, the cache's, a system folder) rather
    // than a bare root given as "the files themselves".
    private IEnumerable<(string Folder, bool Named)> Candidates(string name, IEnumerable<string> systemFolders)
    {
        var folders = new List<(string, bool)>();
        void AddRoot(string? root)
        {
            if (string.IsNullOrWhiteSpace(root)) return;
            folders.Add((Path.Combine(root, name), true));
            folders.Add((root, false));
        }
        AddRoot(_dataDir is null ? null : Path.GetFullPath(_dataDir));
        // A relative $SHARPGAN_DATA means a folder relative to the current directory, as a shell user expects.
        string? env = Environment.GetEnvironmentVariable("SHARPGAN_DATA");
        AddRoot(string.IsNullOrWhiteSpace(env) ? null : Path.GetFullPath(env));
        folders.Add((Path.Combine(CacheRoot, name), true));
        folders.AddRange(systemFolders.Select(f => (f, true)));
        return folders.DistinctBy(f => f.Item1);
    }

    /// <summary>The path of one file of the dataset where <see cref="Load"/> would take it (verified), or null; nothing is downloaded.</summary>
    public string? Find(DatasetInfo info, DatasetFile file) => FindVerified(info, file)?.Path;

    /// <summary>Returns the verified raw IDX bytes of one file of the dataset, finding or fetching it.</summary>
    public byte[] Load(DatasetInfo info, DatasetFile file)
    {
        if (FindVerified(info, file) is { } found) return found.Content;
        if (_allowDownload) return Download(info, file);
        throw NotFound(info, file, "downloading is disabled (SHARPGAN_OFFLINE=1)");
    }

    // The first candidate's file that verifies. MNIST and Fashion-MNIST files share names, so in a bare root (a folder
    // given as "the files themselves") a file that does not verify is taken for another dataset's and passed over; in
    // the dataset's own folder it is a damaged copy, and refused.
    private (byte[] Content, string Path)? FindVerified(DatasetInfo info, DatasetFile file)
    {
        foreach (var (folder, named) in Candidates(info.Name, info.SystemFolders))
        {
            string? path = FindIn(folder, file);
            if (path is null) continue;
            bool compressed = path.EndsWith(".gz", StringComparison.Ordinal);
            if (compressed && DecodedIdxCache.TryRead(path, file) is { } cached) return (cached, path);
            byte[] content = IdxFile.Decompress(FileBytes.Read(path), path);
            if (Matches(content, file))
            {
                if (compressed) DecodedIdxCache.Write(path, file, content);
                return (content, path);
            }
            if (named) Verify(content, file, path); // throws, naming the file
        }
        return null;
    }

    /// <summary>
    /// Returns the bytes of a dataset file that has no published per-file checksum (CIFAR-10's batches), looked for in
    /// each candidate folder and its <paramref name="subfolders"/>; when absent and downloading is allowed,
    /// <paramref name="fetch"/>(cache folder, file name, client) downloads, verifies and stores it.
    /// </summary>
    public byte[] LoadFile(string dataset, string fileName, IReadOnlyList<string> subfolders, Func<string, string, HttpClient, byte[]> fetch)
    {
        var folders = CandidateFolders(dataset, []).SelectMany(f => subfolders.Select(s => Path.Combine(f, s)).Prepend(f)).ToList();
        foreach (string folder in folders)
        {
            string path = Path.Combine(folder, fileName);
            if (File.Exists(path)) return FileBytes.Read(path);
        }
        string where = $"{dataset}: {fileName} not found in {string.Join(", ", folders)}";
        string fix = $"Put {fileName} (and the dataset's other files) in DIR/{dataset}/ and pass --data-dir DIR or set SHARPGAN_DATA=DIR.";
        if (!_allowDownload) throw new DatasetNotFoundException($"{where} and downloading is disabled (SHARPGAN_OFFLINE=1). {fix}");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(15) };
            return fetch(Path.Combine(CacheRoot, dataset), fileName, http);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException or IOException)
        {
            throw new DatasetNotFoundException($"{where} and download failed ({e.Message}). {fix}");
        }
    }

    private static string? FindIn(string folder, DatasetFile file)
    {
        string gz = Path.Combine(folder, file.FileName);
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(folder, Path.GetFileNameWithoutExtension(file.FileName));
        return File.Exists(raw) ? raw : null;
    }

    private static bool Matches(byte[] content, DatasetFile file) => Convert.ToHexStringLower(SHA256.HashData(content)) == file.ContentSha256;

    private static byte[] Verify(byte[] content, DatasetFile file, string source)
    {
        string actual = Convert.ToHexStringLower(SHA256.HashData(content));
        if (actual != file.ContentSha256)
            throw new InvalidDataException($"{source}: checksum mismatch (SHA-256 of the decompressed data is {actual[..16]}…, expected {file.ContentSha256[..16]}…); the file is corrupt or not {file.FileName} — delete it and retry");
        return content;
    }

    private byte[] Download(DatasetInfo info, DatasetFile file)
    {
        string cacheFolder = Path.Combine(CacheRoot, info.Name);
        var failures = new List<string>();
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        foreach (string mirror in info.Mirrors)
        {
            string url = mirror + file.FileName;
            try
            {
                Console.Error.WriteLine($"downloading {url}");
                byte[] bytes = http.GetByteArrayAsync(url).GetAwaiter().GetResult();
                byte[] content = Verify(IdxFile.Decompress(bytes, url), file, url);
                Directory.CreateDirectory(cacheFolder);
                AtomicFile.WriteAllBytes(Path.Combine(cacheFolder, file.FileName), bytes);
                return content;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidDataException or IOException)
            {
                failures.Add($"{url}: {e.Message}");
            }
        }
        throw NotFound(info, file, "download failed (" + string.Join("; ", failures) + ")");
    }

    private DatasetNotFoundException NotFound(DatasetInfo info, DatasetFile file, string why) =>
        new($"{info.Name}: {file.FileName} not found in {string.Join(", ", CandidateFolders(info))} and {why}. " +
            $"Put the four IDX files ({string.Join(", ", info.Files.Select(f => f.FileName))}) in DIR/{info.Name}/ and pass --data-dir DIR or set SHARPGAN_DATA=DIR.");
}
