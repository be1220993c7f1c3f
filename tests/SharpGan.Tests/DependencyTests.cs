using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Folders of the library depend on each other one way only: each folder's files may name (by `using` or by
/// qualified name) only the folders listed for it. A new back-edge fails here.
/// </summary>
public partial class DependencyTests
{
    // The engine (Tensors → Autograd → Nn → Optim), the architectures (Models), Algorithm 1 (Gan), model export (Export), the trainer with its
    // config, checkpoints and run folder (Training), the measurements of a trained GAN (Evaluation) and the paper's toy
    // experiments (Experiments), the interactive 2-D game of `sharpgan lab` (Lab), each on those before it; file formats (IO), datasets (Data) and pictures (Imaging)
    // and the MPI binding (Distributed) are leaves that know no GAN types.
    private static readonly string[] Engine = ["Tensors", "Autograd", "Nn", "Optim"];
    private static readonly string[] Leaves = ["IO", "Data", "Imaging", "Distributed"];
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Tensors"] = [],
        ["IO"] = ["Tensors"],
        ["Data"] = ["Tensors", "IO"],
        ["Imaging"] = ["Tensors", "IO"],
        ["Distributed"] = [],
        ["Autograd"] = ["Tensors"],
        ["Nn"] = ["Tensors", "Autograd"],
        ["Optim"] = ["Tensors", "Autograd", "Nn"],
        ["Models"] = Engine,
        ["Gan"] = [.. Engine, "Models", "Distributed"],
        ["Export"] = [.. Engine, .. Leaves, "Models", "Gan"],
        ["Training"] = [.. Engine, .. Leaves, "Models", "Gan"],
        ["Evaluation"] = [.. Engine, .. Leaves, "Models", "Gan", "Training"],
        ["Experiments"] = [.. Engine, .. Leaves, "Models", "Gan", "Training", "Evaluation"],
        ["Lab"] = [.. Engine, .. Leaves, "Models", "Gan", "Training", "Evaluation", "Experiments"],
    };

    private static string SourceRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpGan.slnx"))) return Path.Combine(dir.FullName, "src", "SharpGan");
        throw new DirectoryNotFoundException("the repository root (SharpGan.slnx) is not above the test binary");
    }

    [Fact]
    public void FoldersDependOneWay()
    {
        // The type names of each namespace, so that "Data.AsSpan()" (a member) is not read as a reference to SharpGan.Data.
        var typesByFolder = typeof(SharpGan.Engine).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("SharpGan.", StringComparison.Ordinal) == true)
            .GroupBy(t => t.Namespace!.Split('.')[1])
            .ToDictionary(g => g.Key, g => g.Select(t => t.Name.Split('`')[0]).ToHashSet());
        string root = SourceRoot();
        var violations = new List<string>();
        int files = 0;
        foreach (string path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.StartsWith("obj/") || relative.StartsWith("bin/") || !relative.Contains('/')) continue;
            string folder = relative.Split('/')[0];
            Assert.True(Allowed.ContainsKey(folder), $"{relative}: folder {folder} has no rule in {nameof(DependencyTests)}");
            files++;
            string text = File.ReadAllText(path);
            var referenced = new HashSet<string>();
            foreach (Match m in UsingDirective().Matches(text)) referenced.Add(m.Groups[1].Value);
            foreach (Match m in QualifiedName().Matches(text))
                if (typesByFolder.TryGetValue(m.Groups[1].Value, out var names) && names.Contains(m.Groups[2].Value)) referenced.Add(m.Groups[1].Value);
            foreach (string other in referenced.Where(r => r != folder))
            {
                string edge = $"{relative} -> {other}";
                if (!Allowed[folder].Contains(other)) violations.Add(edge);
            }
        }
        Assert.True(files > 50, $"only {files} source files found under {root}");
        Assert.True(violations.Count == 0, "dependencies against the one-way order:\n" + string.Join("\n", violations));
    }

    [GeneratedRegex(@"^using SharpGan\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    // SharpGan.Data.IdxFile or Data.IdxFile (partially qualified from inside SharpGan.*).
    [GeneratedRegex(@"(?<![\w.])(?:SharpGan\.)?(Tensors|IO|Data|Imaging|Autograd|Nn|Optim|Models|Gan|Training|Evaluation|Experiments)\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();
}
