namespace SharpGan.Cli;

/// <summary>
/// What an --out option names, checked before any work: a file with a known extension, not a folder, in a folder that
/// exists; or a folder that is not a file.
/// </summary>
internal static class OutputFile
{
    /// <summary>The full path of an output folder (created later by the command); throws <see cref="UserError"/> when a file is there.</summary>
    public static string Folder(DirectoryInfo given)
    {
        if (File.Exists(given.FullName)) throw new UserError($"{given.FullName}: is a file; --out names the folder to write into");
        return given.FullName;
    }

    /// <summary>The full path and its lower-case extension; throws <see cref="UserError"/> listing the extensions accepted.</summary>
    public static (string Path, string Extension) Check(FileInfo given, params (string Extension, string Means)[] kinds) => Check(given, "--out", kinds);

    /// <summary>As <see cref="Check(FileInfo, ValueTuple{string, string}[])"/> for an output option of another name.</summary>
    public static (string Path, string Extension) Check(FileInfo given, string option, params (string Extension, string Means)[] kinds)
    {
        string path = given.FullName;
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        if (!kinds.Any(k => k.Extension == extension))
            throw new UserError($"{path}: {option} must end in {string.Join(" or ", kinds.Select(k => $"{k.Extension} ({k.Means})"))}; got {(extension.Length == 0 ? "no extension" : $"'{extension}'")}");
        if (Directory.Exists(path)) throw new UserError($"{path}: is a folder; {option} names the file to write");
        string? folder = System.IO.Path.GetDirectoryName(path);
        if (folder is not null && !Directory.Exists(folder)) throw new UserError($"{path}: the folder {folder} does not exist");
        return (path, extension);
    }
}
