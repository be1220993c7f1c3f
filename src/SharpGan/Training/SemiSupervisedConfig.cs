using System.Text.Json;
using SharpGan.Data;
using SharpGan.IO;

namespace SharpGan.Training;

/// <summary>
/// A semi-supervised GAN run (Salimans et al. 2016, feature matching): the labelled subset's size and seed, the
/// schedule and the objective. Defaults are the paper's MNIST settings, with the run shortened to fit 90 minutes on two cores.
/// </summary>
public sealed record SemiSupervisedConfig
{
    /// <summary>Dataset name (mnist or fashion-mnist: the permutation-invariant networks read 784 pixels).</summary>
    public string Dataset { get; init; } = "mnist";

    /// <summary>Labelled training images, the same number of each class, drawn from train[0:50000]; a multiple of the class count.</summary>
    public int Labels { get; init; } = 100;

    /// <summary>Master seed: the labelled subset, initialisation, noise, minibatch order.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Passes over the 50 000 unlabelled images.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Rows of each of the labelled, unlabelled and generated batches.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Adam's rate for both players (the paper: 0.003).</summary>
    public float LearningRate { get; init; } = 0.003f;

    /// <summary>Adam's β1 (the paper: 0.5).</summary>
    public float Beta1 { get; init; } = 0.5f;

    /// <summary>From this fraction of the run on, the rate falls linearly to 0 at its end.</summary>
    public double DecayFrom { get; init; } = 0.5;

    /// <summary>Weight of the unsupervised terms in D's loss (the paper: 0.5).</summary>
    public float UnsupervisedWeight { get; init; } = 0.5f;

    /// <summary>Train G by feature matching on D's last hidden layer (the paper); false: the usual −log D(G(z)).</summary>
    public bool FeatureMatching { get; init; } = true;

    /// <summary>
    /// The classifier that is tested is a moving average of D's weights with this decay per update, started at zero (as the
    /// paper's code does: with weight normalisation the zero start only shrinks scales, never directions); 0 tests D itself.
    /// </summary>
    public double EvaluationAverage { get; init; } = 0.9999;

    /// <summary>Dimension of z (uniform on [0, 1]).</summary>
    public int NoiseDim { get; init; } = 100;

    /// <summary>
    /// Reads and validates a config file (snake_case JSON, as <c>semi train --print-config</c> writes; unknown fields are
    /// errors). Throws <see cref="ConfigException"/> naming the file and the problem.
    /// </summary>
    public static SemiSupervisedConfig Load(string path)
    {
        string json = ConfigIo.ReadText(path, "semi train --print-config");
        SemiSupervisedConfig? config;
        try { config = JsonSerializer.Deserialize<SemiSupervisedConfig>(json, ConfigIo.Options); }
        catch (JsonException e)
        {
            string at = e.Path?.TrimStart('$', '.') ?? "";
            throw new ConfigException(e.Message.Contains("could not be mapped")
                ? $"{path}: unknown field '{at}'; a semi-supervised config has {string.Join(", ", JsonDocument.Parse(JsonSerializer.Serialize(new SemiSupervisedConfig(), ConfigIo.Options)).RootElement.EnumerateObject().Select(p => p.Name))}"
                : at.Length > 0 ? $"{path}: field '{at}' has the wrong type or value" : $"{path}: not valid JSON at line {e.LineNumber + 1}");
        }
        if (config is null) throw new ConfigException($"{path}: the config is null; expected an object");
        try { config.Validate(); }
        catch (ConfigException e) { throw new ConfigException($"{path}: {e.Message}"); }
        return config;
    }

    /// <summary>Throws <see cref="ConfigException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (Dataset is not ("mnist" or "fashion-mnist")) throw new ConfigException($"dataset '{Dataset}': the semi-supervised networks take mnist or fashion-mnist");
        int classes = DatasetCatalog.ClassCount(Dataset);
        if (Labels < classes || Labels > 50_000 || Labels % classes != 0) throw new ConfigException($"labels must be a multiple of {classes} between {classes} and 50000, got {Labels}");
        if (Epochs is < 1 or > 10_000) throw new ConfigException($"epochs must be in [1, 10000], got {Epochs}");
        if (BatchSize is < 2 or > 10_000) throw new ConfigException($"batch_size must be in [2, 10000], got {BatchSize}");
        if (!(LearningRate > 0 && LearningRate < 1)) throw new ConfigException($"learning_rate must be in (0, 1), got {LearningRate}");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ConfigException($"beta1 must be in [0, 1), got {Beta1}");
        if (!(DecayFrom >= 0 && DecayFrom <= 1)) throw new ConfigException($"decay_from must be in [0, 1], got {DecayFrom}");
        if (!(UnsupervisedWeight >= 0 && UnsupervisedWeight <= 100)) throw new ConfigException($"unsupervised_weight must be in [0, 100], got {UnsupervisedWeight}");
        if (!(EvaluationAverage >= 0 && EvaluationAverage < 1)) throw new ConfigException($"evaluation_average must be in [0, 1), got {EvaluationAverage}");
        if (NoiseDim is < 1 or > 4096) throw new ConfigException($"noise_dim must be in [1, 4096], got {NoiseDim}");
    }
}
