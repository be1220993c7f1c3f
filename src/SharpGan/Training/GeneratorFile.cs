using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>
/// A generator on its own: the safetensors file `sharpgan export --format safetensors` writes and models/ ships — a few
/// MB instead of a checkpoint's G, D, average and optimiser state. Tensors "generator.*" hold the weights that sample
/// (the averaged generator's when the run kept one, unless the raw G was asked for), under G's own state names;
/// metadata "format", "config" (the run's config with the average switched off, so it builds exactly one G),
/// "averaged" ("true"/"false") and "source" (the checkpoint it came from).
/// </summary>
public static class GeneratorFile
{
    /// <summary>The value of the "format" metadata key.</summary>
    public const string Format = "sharpgan-generator/1";

    /// <summary>Name prefix of the weights.</summary>
    public const string Prefix = Checkpoint.GeneratorPrefix;

    /// <summary>Writes <paramref name="generator"/> (built from <paramref name="config"/>) atomically.</summary>
    public static void Write(string path, Module generator, GanConfig config, bool averaged, string source)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = ConfigIo.ToJson(GeneratorOnly(config)),
            ["averaged"] = averaged ? "true" : "false",
            ["source"] = source,
        };
        SafeTensors.Write(path, generator.NamedState().Select(p => new KeyValuePair<string, Tensor>(Prefix + p.Name, p.Value)), metadata);
    }

    /// <summary>A generator read back: its networks (D untrained: a generator file has none) and config.</summary>
    public sealed record Loaded(string Path, GanModels Models, GanConfig Config, bool Averaged, string Source);

    /// <summary>
    /// Reads and checks a generator file; throws <see cref="InvalidDataException"/> with one sentence naming the file when
    /// it is not one. The config is validated and G's size from it compared with the tensors held before anything is built.
    /// </summary>
    public static Loaded Read(string path)
    {
        var content = SafeTensors.Read(path);
        if (!content.Metadata.TryGetValue("format", out string? format) || format != Format)
            throw new InvalidDataException($"{path}: not a SharpGAN generator file (metadata format is '{format ?? "missing"}', expected '{Format}')");
        if (!content.Metadata.TryGetValue("config", out string? configJson))
            throw new InvalidDataException($"{path}: damaged generator file: the config metadata is missing");
        GanConfig config;
        try { config = GeneratorOnly(ConfigIo.FromJson(configJson, "embedded config")); }
        catch (ConfigException e) { throw new InvalidDataException($"{path}: damaged generator file config ({e.Message.ReplaceLineEndings(" ")})", e); }
        long expected = ModelFactory.StateElementCounts(config).Generator, held = content.Tensors.Values.Sum(t => (long)t.Length);
        if (expected != held)
            throw new InvalidDataException($"{path}: the embedded config describes a generator of {expected:N0} values but the file holds {held:N0}");
        var models = ModelFactory.Build(config, null);
        Checkpoint.LoadWeights(path, content, Prefix, models.Generator);
        return new Loaded(path, models, config, content.Metadata.GetValueOrDefault("averaged") == "true", content.Metadata.GetValueOrDefault("source") ?? "");
    }

    private static GanConfig GeneratorOnly(GanConfig config) => config with { Training = config.Training with { GeneratorEma = 0 } };
}
