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
    // Leaves first: the engine (Tensors → Autograd → Nn → Optim), file formats (IO), datasets and pictures (Data,
    // Imaging), then the GAN (Gan: Algorithm 1, and for now the architectures, training and run persistence too),
    // the measurements of a trained GAN (Evaluation), and the paper's toy experiments on top (Experiments).
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Tensors"] = [],
        ["IO"] = ["Tensors"],
        ["Data"] = ["Tensors", "IO"],
        ["Imaging"] = ["Tensors", "IO"],
        ["Autograd"] = ["Tensors"],
        ["Nn"] = ["Tensors", "Autograd"],
        ["Optim"] = ["Tensors", "Autograd", "Nn"],
        ["Gan"] = ["Tensors", "IO", "Data", "Imaging", "Autograd", "Nn", "Optim"],
        ["Evaluation"] = ["Tensors", "IO", "Data", "Imaging", "Autograd", "Nn", "Optim", "Gan"],
        ["Experiments"] = ["Tensors", "IO", "Data", "Imaging", "Autograd", "Nn", "Optim", "Gan", "Evaluation"],
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
    [GeneratedRegex(@"(?<![\w.])(?:SharpGan\.)?(Tensors|IO|Data|Imaging|Autograd|Nn|Optim|Gan|Evaluation|Experiments)\.([A-Z]\w*)")]
    private static partial Regex QualifiedName();
}
