namespace SharpGan.Training;

/// <summary>
/// Finds a generator file by name (<c>--model mnist-paper</c>) or path. Names are looked up as NAME.safetensors in, first
/// found wins: $SHARPGAN_MODELS; models/ in the current folder or any folder above it (a clone of the repository);
/// models/ beside the program or above it (a built or installed `sharpgan`, which carries the shipped models).
/// </summary>
public static class PretrainedModels
{
    /// <summary>The extension of a generator file.</summary>
    public const string Extension = ".safetensors";

    /// <summary>The folders searched for names, in order, that exist.</summary>
    public static IReadOnlyList<string> SearchFolders()
    {
        var folders = new List<string>();
        if (Environment.GetEnvironmentVariable("SHARPGAN_MODELS") is { Length: > 0 } fromEnvironment) folders.Add(Path.GetFullPath(fromEnvironment));
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                folders.Add(Path.Combine(dir.FullName, "models"));
        return folders.Distinct().Where(Directory.Exists).ToList();
    }

    /// <summary>The names available in <see cref="SearchFolders"/>.</summary>
    public static IReadOnlyList<string> Available() =>
        SearchFolders().SelectMany(f => Directory.EnumerateFiles(f, "*" + Extension)).Select(Path.GetFileNameWithoutExtension).Distinct().Order().ToList()!;

    /// <summary>
    /// The file <paramref name="nameOrPath"/> means: a path (it names a folder or ends in .safetensors) as given, else
    /// NAME.safetensors from the first search folder holding it. Throws <see cref="FileNotFoundException"/> listing what is there.
    /// </summary>
    public static string Resolve(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        bool isPath = nameOrPath.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) || nameOrPath.Contains('/') || nameOrPath.Contains(Path.DirectorySeparatorChar);
        if (isPath)
            return File.Exists(nameOrPath) ? Path.GetFullPath(nameOrPath) : throw new FileNotFoundException($"{Path.GetFullPath(nameOrPath)}: generator file not found");
        foreach (string folder in SearchFolders())
        {
            string candidate = Path.Combine(folder, nameOrPath + Extension);
            if (File.Exists(candidate)) return candidate;
        }
        var available = Available();
        throw new FileNotFoundException($"no pretrained model '{nameOrPath}': " + (available.Count > 0
            ? $"available: {string.Join(", ", available)}"
            : "no models/ folder found (run from a clone of the repository, or set SHARPGAN_MODELS=DIR)"));
    }
}
