using System.Diagnostics;
using System.Text.Json;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// The generators shipped in models/: each has its cards (NAME.json, NAME.md) measured on its exact bytes, is at most
/// 10 MiB, loads, and re-measures to what its card says from a fresh clone (`eval parzen --model NAME`, `eval metrics`).
/// </summary>
public class ShippedModelTests
{
    /// <summary>The models the README promises.</summary>
    private static readonly string[] PromisedNames = ["mnist-paper", "mnist-dcgan", "fashion-mnist-paper"];

    public static TheoryData<string> Promised => new(PromisedNames);

    private static string ModelsFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SharpGan.slnx"))) return Path.Combine(dir.FullName, "models");
        throw new DirectoryNotFoundException("the repository root (SharpGan.slnx) is not above the test binary");
    }

    [Fact]
    public void EveryShippedGeneratorHasCardsMeasuredOnItsBytes()
    {
        string folder = ModelsFolder();
        var files = Directory.GetFiles(folder, "*.safetensors");
        foreach (string name in PromisedNames) Assert.Contains(Path.Combine(folder, name + ".safetensors"), files);
        foreach (string file in files)
        {
            string name = Path.GetFileNameWithoutExtension(file);
            Assert.True(new FileInfo(file).Length <= 10 * 1024 * 1024, $"{name}: {new FileInfo(file).Length:N0} bytes is over 10 MiB");
            var card = ModelCard.ReadFor(file) ?? throw new Xunit.Sdk.XunitException($"{name} has no card {ModelCard.PathFor(file)}");
            Assert.Equal(name, card.Name);
            Assert.Equal(ModelCard.HashOf(file), card.Sha256);
            Assert.True(File.Exists(Path.ChangeExtension(file, ".md")), $"{name} has no human card {name}.md");
            var loaded = GeneratorFile.Read(file);
            Assert.Equal(card.Preset.Split('-')[0] == "fashion" ? "fashion-mnist" : "mnist", loaded.Config.Dataset);
        }
    }

    private static JsonElement Sharpgan(params string[] args)
    {
        var run = SharpganProcess.Start(args);
        Assert.True(run.Process.WaitForExit(TimeSpan.FromMinutes(3)), "sharpgan did not finish in 3 minutes");
        Assert.True(run.Process.ExitCode == 0, run.Stderr.Result);
        return JsonDocument.Parse(run.Stdout.Result.Trim().Split('\n')[^1]).RootElement;
    }

    [Theory]
    [MemberData(nameof(Promised))]
    public void EvaluatingAShippedModelReproducesItsCard(string name)
    {
        var card = ModelCard.Read(Path.Combine(ModelsFolder(), name + ".json"));
        if (card.Parzen is { } parzen)
        {
            var measured = Sharpgan("eval", "parzen", "--model", name, "--json");
            double ll = measured.GetProperty("test_ll").GetDouble();
            Assert.True(Math.Abs(ll - parzen.TestLl) <= parzen.TestSe, $"{name}: Parzen {ll:F2}, card {parzen.TestLl:F2} ± {parzen.TestSe:F2}");
        }
        var metrics = Sharpgan("eval", "metrics", "--model", name, "--json").GetProperty("model");
        double fd = metrics.GetProperty("frechet_distance").GetDouble();
        Assert.True(Math.Abs(fd - card.Metrics.Fd) <= 0.01 * card.Metrics.Fd, $"{name}: FD {fd:F3}, card {card.Metrics.Fd:F3}");
        Assert.Equal(card.Metrics.Precision, metrics.GetProperty("precision").GetDouble(), 2);
        Assert.Equal(card.Metrics.Recall, metrics.GetProperty("recall").GetDouble(), 2);
    }
}
