using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using SharpGan.IO;

namespace SharpGan.Training;

/// <summary>
/// What is known about a shipped generator, machine-readable: <c>models/NAME.json</c> beside <c>NAME.safetensors</c>
/// (and the human card <c>NAME.md</c>). It says how the model was made and what it scored when measured from the
/// repository's copy of the file, so `sharpgan models` can list it and a test can re-measure it: the card's SHA-256
/// ties the numbers to the exact bytes they were measured on.
/// </summary>
public sealed record ModelCard
{
    /// <summary>The model's name (the file name without .safetensors).</summary>
    public required string Name { get; init; }

    /// <summary>SHA-256 of NAME.safetensors, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The preset the run started from.</summary>
    public required string Preset { get; init; }

    /// <summary>What differs from the preset, in words (empty when nothing).</summary>
    public string Changes { get; init; } = "";

    /// <summary>The commands that made the model, in order.</summary>
    public required string[] Commands { get; init; }

    /// <summary>Epochs trained in all.</summary>
    public required double Epochs { get; init; }

    /// <summary>Wall-clock minutes of training on the machine named in <see cref="Machine"/>.</summary>
    public required double TrainingMinutes { get; init; }

    /// <summary>Where it was trained (cores, threads).</summary>
    public required string Machine { get; init; }

    /// <summary>Table 1's Parzen estimate of the file, as `eval parzen --model NAME` measures it (null where the protocol does not apply).</summary>
    public ParzenCard? Parzen { get; init; }

    /// <summary>The feature metrics of the file, as `eval metrics --model NAME` measures them.</summary>
    public required MetricsCard Metrics { get; init; }

    /// <summary>`eval parzen` defaults: 10 000 samples with noise seed 1.</summary>
    public sealed record ParzenCard(double TestLl, double TestSe, double Sigma, int Samples, long Seed);

    /// <summary>`eval metrics` defaults: 10 000 samples with noise seed 1 against the test images.</summary>
    public sealed record MetricsCard(double Fd, double ClassifierScore, int ClassesCovered, double Precision, double Recall, int Samples, long Seed);

    /// <summary>Largest card read: a card is under 2 KB; anything near this is not one.</summary>
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        MaxDepth = 8,
    };

    /// <summary>The card's path for a generator file: NAME.json beside NAME.safetensors.</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, ".json");

    /// <summary>The card beside <paramref name="modelPath"/>, or null when it has none.</summary>
    /// <exception cref="InvalidDataException">The card exists but is not a valid card (one sentence naming the file).</exception>
    public static ModelCard? ReadFor(string modelPath) => File.Exists(PathFor(modelPath)) ? Read(PathFor(modelPath)) : null;

    /// <summary>Reads a card.</summary>
    /// <exception cref="InvalidDataException">Not a valid card (one sentence naming the file).</exception>
    public static ModelCard Read(string path)
    {
        byte[] bytes = FileBytes.Read(path, MaxBytes);
        try
        {
            return JsonSerializer.Deserialize<ModelCard>(bytes, Json) ?? throw new InvalidDataException($"{path}: a model card cannot be null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a model card ({e.Message.Split(" Path:")[0]})", e);
        }
    }

    /// <summary>The card as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>SHA-256 of a file, lower-case hex (what <see cref="Sha256"/> holds).</summary>
    public static string HashOf(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
