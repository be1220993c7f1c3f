using System.Text.Json;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Nn;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>
/// One checkpoint file in safetensors: tensors "generator.*" and "discriminator.*" (weights, loadable in
/// PyTorch with safetensors.torch.load_file), "generator_ema.*" when the run averages G's weights,
/// "optimizer.generator.*" and "optimizer.discriminator.*" (velocities or moments), and metadata "format", "config" (JSON) and "state" (<see cref="TrainerState"/> JSON).
/// Written atomically, so a kill leaves the previous checkpoint intact.
/// </summary>
public static class Checkpoint
{
    /// <summary>The value of the "format" metadata key.</summary>
    public const string Format = "sharpgan-checkpoint/1";

    /// <summary>Name prefixes of the tensors, one per part of the training state: every reader and writer uses these.</summary>
    public const string GeneratorPrefix = "generator.", DiscriminatorPrefix = "discriminator.",
        GeneratorOptimizerPrefix = "optimizer.generator.", DiscriminatorOptimizerPrefix = "optimizer.discriminator.";

    /// <summary>Name prefix of the averaged generator's tensors (present when training.generator_ema > 0).</summary>
    public const string AveragedGeneratorPrefix = "generator_ema.";

    /// <summary>Writes a checkpoint atomically.</summary>
    public static void Save(string path, GanModels models, Optimizer optG, Optimizer optD, TrainerState state, GanConfig config)
    {
        var tensors = NetworkTensors(models.Generator, models.Discriminator, optG, optD);
        if (models.AveragedGenerator is { } averaged)
            foreach (var (name, p) in averaged.NamedState()) tensors.Add(new(AveragedGeneratorPrefix + name, p));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["config"] = ConfigIo.ToJson(config),
            ["state"] = JsonSerializer.Serialize(state, ConfigIo.Options),
        };
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>A checkpoint read from disk, not yet applied to any model.</summary>
    public sealed record Loaded(string Path, SafeTensors.Content Content, GanConfig Config, TrainerState State);

    /// <summary>
    /// Reads and checks a checkpoint; throws <see cref="InvalidDataException"/> with one clear sentence when it is not
    /// one. The embedded config and trainer state are validated, and the network sizes the config asks for are
    /// compared with the tensors the file holds, so a damaged config can never make a caller build huge networks.
    /// </summary>
    public static Loaded Read(string path)
    {
        var content = SafeTensors.Read(path);
        if (!content.Metadata.TryGetValue("format", out string? format) || format != Format)
            throw new InvalidDataException($"{path}: not a SharpGAN checkpoint (metadata format is '{format ?? "missing"}', expected '{Format}')");
        if (!content.Metadata.TryGetValue("config", out string? configJson) || !content.Metadata.TryGetValue("state", out string? stateJson))
            throw new InvalidDataException($"{path}: damaged checkpoint: the config or trainer state metadata is missing");
        GanConfig config;
        TrainerState? state;
        try
        {
            config = ConfigIo.FromJson(configJson, "embedded config");
            state = JsonSerializer.Deserialize<TrainerState>(stateJson, ConfigIo.Options);
        }
        catch (Exception e) when (e is JsonException or ConfigException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: damaged checkpoint metadata ({e.Message.ReplaceLineEndings(" ")})", e);
        }
        if (StateProblem(state) is { } problem) throw new InvalidDataException($"{path}: damaged trainer state: {problem}");
        long expected = ModelFactory.StateElementCount(config);
        long held = content.Tensors.Where(t => t.Key.StartsWith(GeneratorPrefix, StringComparison.Ordinal) || t.Key.StartsWith(DiscriminatorPrefix, StringComparison.Ordinal))
            .Sum(t => (long)t.Value.Length);
        // Networks a few times larger than the file are built, so that loading can name the first tensor whose shape
        // differs; beyond that the config alone is refused, so the file's size bounds what building it allocates.
        if (expected > 4 * held + 4096)
            throw new InvalidDataException($"{path}: the embedded config describes networks of {expected:N0} values but the checkpoint holds {held:N0}; the checkpoint does not match its config");
        return new Loaded(path, content, config, state!);
    }

    // Null when the state can be restored; else what is wrong with it.
    private static string? StateProblem(TrainerState? s)
    {
        if (s is null) return "it is null";
        if (s.Minibatches is null) return "the minibatch position is missing";
        if (s.RandomState().Values.Any(words => words is null || !Rng.IsValidState(words)) || s.Minibatches.RngAtEpochStart is null || !Rng.IsValidState(s.Minibatches.RngAtEpochStart))
            return "a random-number state is not four words with one non-zero";
        if (s.RandomState().Keys.FirstOrDefault(name => !Enum.GetValues<RandomStream>().Any(r => RandomStreams.NameOf(r) == name)) is { } unknown)
            return $"unknown random stream '{unknown}'";
        if (s.Step < 0 || s.GeneratorUpdates < 0 || s.DiscriminatorUpdates < 0) return "step and update counts must be ≥ 0";
        if (s.Minibatches.Epoch < 0 || s.Minibatches.BatchInEpoch < 0) return "the minibatch epoch and batch must be ≥ 0";
        if (!double.IsFinite(s.ElapsedSeconds) || s.ElapsedSeconds < 0) return "elapsed_seconds must be a finite number ≥ 0";
        return null;
    }

    /// <summary>Copies the weights (and buffers such as BatchNorm statistics) into a module, checking every name and shape.</summary>
    public static void LoadWeights(Loaded checkpoint, string prefix, Module module) => LoadWeights(checkpoint.Path, checkpoint.Content, prefix, module);

    /// <summary>As above, from any safetensors content read from <paramref name="path"/> (the semi-supervised checkpoints share the layout).</summary>
    public static void LoadWeights(string path, SafeTensors.Content content, string prefix, Module module)
    {
        foreach (var (name, p) in module.NamedState())
        {
            if (!content.Tensors.TryGetValue(prefix + name, out var t))
                throw new InvalidDataException($"{path}: tensor '{prefix + name}' is missing; the checkpoint does not match this model");
            if (!t.Shape.AsSpan().SequenceEqual(p.Shape))
                throw new InvalidDataException($"{path}: tensor '{prefix + name}' has shape [{Shapes.Format(t.Shape)}] but the model expects [{Shapes.Format(p.Shape)}]");
            t.Data.CopyTo(p.Data, 0);
        }
    }

    /// <summary>Whether the checkpoint holds an averaged generator.</summary>
    public static bool HasAveragedGenerator(Loaded checkpoint) => checkpoint.Content.Tensors.Keys.Any(k => k.StartsWith(AveragedGeneratorPrefix, StringComparison.Ordinal));

    /// <summary>Loads what sampling needs: G, and the averaged generator when the models keep one.</summary>
    public static void LoadGenerators(Loaded checkpoint, GanModels models)
    {
        LoadWeights(checkpoint, GeneratorPrefix, models.Generator);
        if (models.AveragedGenerator is { } averaged) LoadWeights(checkpoint, AveragedGeneratorPrefix, averaged);
    }

    /// <summary>
    /// The mirror of <see cref="Save"/> for what it wrote of the networks and optimisers: weights and buffers of G and D,
    /// the averaged generator (when the checkpoint has one; returns false when the models keep an average the
    /// checkpoint lacks, so the caller can start it from G), and both optimisers' buffers and update counts.
    /// </summary>
    public static bool Restore(Loaded checkpoint, GanModels models, Optimizer optG, Optimizer optD)
    {
        LoadWeights(checkpoint, GeneratorPrefix, models.Generator);
        LoadWeights(checkpoint, DiscriminatorPrefix, models.Discriminator);
        bool averageRestored = models.AveragedGenerator is not null && HasAveragedGenerator(checkpoint);
        if (averageRestored) LoadWeights(checkpoint, AveragedGeneratorPrefix, models.AveragedGenerator!);
        LoadOptimizer(checkpoint, GeneratorOptimizerPrefix, optG);
        LoadOptimizer(checkpoint, DiscriminatorOptimizerPrefix, optD);
        optG.StepCount = checkpoint.State.GeneratorUpdates;
        optD.StepCount = checkpoint.State.DiscriminatorUpdates;
        return averageRestored;
    }

    /// <summary>Copies optimiser buffers back.</summary>
    public static void LoadOptimizer(Loaded checkpoint, string prefix, Optimizer optimizer) => LoadOptimizer(checkpoint.Path, checkpoint.Content, prefix, optimizer);

    /// <summary>As above, from any safetensors content read from <paramref name="path"/>.</summary>
    public static void LoadOptimizer(string path, SafeTensors.Content content, string prefix, Optimizer optimizer)
    {
        foreach (var (name, buffer) in optimizer.StateBuffers())
        {
            if (!content.Tensors.TryGetValue(prefix + name, out var t) || t.Length != buffer.Length)
                throw new InvalidDataException($"{path}: optimiser buffer '{prefix + name}' is missing or has the wrong size");
            t.Data.CopyTo(buffer, 0);
        }
    }

    /// <summary>The tensors of G, D and both optimisers under the checkpoint prefixes (what <see cref="Save"/> writes of them).</summary>
    public static List<KeyValuePair<string, Tensor>> NetworkTensors(Module generator, Module discriminator, Optimizer optG, Optimizer optD)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, p) in generator.NamedState()) tensors.Add(new(GeneratorPrefix + name, p));
        foreach (var (name, p) in discriminator.NamedState()) tensors.Add(new(DiscriminatorPrefix + name, p));
        foreach (var (name, b) in optG.StateBuffers()) tensors.Add(new(GeneratorOptimizerPrefix + name, Tensor.FromArray(b, b.Length)));
        foreach (var (name, b) in optD.StateBuffers()) tensors.Add(new(DiscriminatorOptimizerPrefix + name, Tensor.FromArray(b, b.Length)));
        return tensors;
    }
}
