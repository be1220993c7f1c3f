namespace SharpGan.Data;

/// <summary>One file of a dataset: its published name and the SHA-256 of its decompressed IDX bytes.</summary>
/// <remarks>Checking the decompressed bytes accepts any faithful copy, raw or recompressed (Debian's
/// Fashion-MNIST package recompresses the published .gz files, so their .gz checksums differ).</remarks>
public sealed record DatasetFile(string FileName, string ContentSha256, long ContentBytes);

/// <summary>A dataset the catalogue knows: where to find it and how to verify it.</summary>
public sealed record DatasetInfo(
    string Name,
    string Description,
    DatasetFile TrainImages,
    DatasetFile TrainLabels,
    DatasetFile TestImages,
    DatasetFile TestLabels,
    IReadOnlyList<string> Mirrors,
    IReadOnlyList<string> SystemFolders)
{
    /// <summary>All four files.</summary>
    public IEnumerable<DatasetFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];
}
