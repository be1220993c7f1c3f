using System.Text.Json;
using System.Text.Json.Serialization;
using SharpGan.Data;

namespace SharpGan.Gan;

/// <summary>Reads, writes and validates <see cref="GanConfig"/> as snake_case JSON.</summary>
public static class ConfigIo
{
    /// <summary>The JSON settings every config file uses. Unknown fields are errors, so typos do not pass silently.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Serialises a config.</summary>
    public static string ToJson(GanConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Parses and validates; <paramref name="source"/> names the file in errors.</summary>
    public static GanConfig FromJson(string json, string source)
    {
        GanConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<GanConfig>(json, Options);
        }
        catch (JsonException e)
        {
            string where = e.Path is { Length: > 1 } ? $" at {e.Path.TrimStart('$', '.')}" : "";
            throw new ConfigException($"{source}: invalid config{where}: {FirstLine(e.Message)}");
        }
        if (config is null) throw new ConfigException($"{source}: the config is empty");
        Validate(config, source);
        return config;
    }

    /// <summary>Reads and validates a config file.</summary>
    public static GanConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found");
        return FromJson(File.ReadAllText(path), path);
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>Throws <see cref="ConfigException"/> naming the first invalid field.</summary>
    public static void Validate(GanConfig c, string source = "config")
    {
        void Check(bool ok, string field, string rule, object? value)
        {
            if (!ok) throw new ConfigException($"{source}: {field} {rule}, got {Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null"}");
        }
        if (!DatasetCatalog.Names.Contains(c.Dataset))
            throw new ConfigException($"{source}: {DatasetCatalog.UnknownMessage(c.Dataset)}");
        Check(c.TrainLimit is null || c.TrainLimit > 0, "train_limit", "must be positive or null", c.TrainLimit);
        var m = c.Model;
        Check(ModelFactory.Architectures.Contains(m.Architecture), "model.architecture", $"must be one of {string.Join(", ", ModelFactory.Architectures)}", m.Architecture);
        Check(m.NoiseDim > 0, "model.noise_dim", "must be positive", m.NoiseDim);
        Check(m.GeneratorHidden > 0, "model.generator_hidden", "must be positive", m.GeneratorHidden);
        Check(m.Features > 0, "model.features", "must be positive", m.Features);
        Check(!DcganLayout.ByArchitecture.ContainsKey(m.Architecture) || c.PixelRange == PixelRange.MinusOneOne, "pixel_range", $"must be minus_one_one for {m.Architecture} (its generator ends in tanh)", c.PixelRange);
        if (ModelFactory.ImageSizeMismatch(c) is { } mismatch) throw new ConfigException($"{source}: {mismatch}");
        Check(m.Architecture != "mlp-maxout" || c.PixelRange == PixelRange.ZeroOne, "pixel_range", "must be zero_one for mlp-maxout (its generator ends in a sigmoid)", c.PixelRange);
        Check(m.DiscriminatorUnits > 0, "model.discriminator_units", "must be positive", m.DiscriminatorUnits);
        Check(m.DiscriminatorPieces > 0, "model.discriminator_pieces", "must be positive", m.DiscriminatorPieces);
        Check(m.DiscriminatorInputKeep is > 0 and <= 1, "model.discriminator_input_keep", "must be in (0, 1]", m.DiscriminatorInputKeep);
        Check(m.DiscriminatorHiddenKeep is > 0 and <= 1, "model.discriminator_hidden_keep", "must be in (0, 1]", m.DiscriminatorHiddenKeep);
        Check(m.GeneratorInitRange >= 0 && float.IsFinite(m.GeneratorInitRange), "model.generator_init_range", "must be a finite number ≥ 0", m.GeneratorInitRange);
        Check(m.DiscriminatorInitRange >= 0 && float.IsFinite(m.DiscriminatorInitRange), "model.discriminator_init_range", "must be a finite number ≥ 0", m.DiscriminatorInitRange);
        var t = c.Training;
        Check(t.BatchSize > 0, "training.batch_size", "must be positive", t.BatchSize);
        Check(t.K > 0, "training.k", "must be positive", t.K);
        Check(!t.Simultaneous || t.K == 1, "training.k", "must be 1 with training.simultaneous", t.K);
        Check(t.Epochs > 0, "training.epochs", "must be positive", t.Epochs);
        Check(t.MaxSteps is null || t.MaxSteps > 0, "training.max_steps", "must be positive or null", t.MaxSteps);
        Check(t.LogEvery > 0, "training.log_every", "must be positive", t.LogEvery);
        Check(t.SampleEvery >= 0, "training.sample_every", "must be ≥ 0 (0 = every epoch)", t.SampleEvery);
        Check(t.EvalEvery >= 0, "training.eval_every", "must be ≥ 0 (0 = never)", t.EvalEvery);
        Check(t.EvalSamples is >= 100 and <= 10_000, "training.eval_samples", "must be in [100, 10000] (the test set's size)", t.EvalSamples);
        Check(t.CheckpointEvery >= 0, "training.checkpoint_every", "must be ≥ 0 (0 = every epoch)", t.CheckpointEvery);
        Check(t.KeepCheckpoints > 0, "training.keep_checkpoints", "must be positive", t.KeepCheckpoints);
        Check(t.GeneratorEma is >= 0 and < 1, "training.generator_ema", "must be in [0, 1) (0 = no average)", t.GeneratorEma);
        var o = c.Optimizer;
        Check(o.Kind is "sgd" or "adam", "optimizer.kind", "must be sgd or adam", o.Kind);
        Check(o.LearningRate > 0 && float.IsFinite(o.LearningRate), "optimizer.learning_rate", "must be a finite positive number", o.LearningRate);
        Check(o.LrDecayFactor >= 1 && double.IsFinite(o.LrDecayFactor), "optimizer.lr_decay_factor", "must be a finite number ≥ 1", o.LrDecayFactor);
        Check(o.LrFloor >= 0, "optimizer.lr_floor", "must be ≥ 0", o.LrFloor);
        Check(o.LrAnneal is not null, "optimizer.lr_anneal", "must be a list (empty for none)", "null");
        for (int i = 0; i < o.LrAnneal!.Count; i++)
        {
            var phase = o.LrAnneal[i];
            Check(phase is not null, $"optimizer.lr_anneal[{i}]", "must be an object with from_step and factor", "null");
            Check(phase!.Factor >= 1 && double.IsFinite(phase.Factor), $"optimizer.lr_anneal[{i}].factor", "must be a finite number ≥ 1", phase.Factor);
            Check(phase.FromStep > (i == 0 ? -1 : o.LrAnneal[i - 1].FromStep), $"optimizer.lr_anneal[{i}].from_step",
                i == 0 ? "must be ≥ 0" : "must be after the previous phase's from_step", phase.FromStep);
        }
        Check(o.MomentumStart is >= 0 and < 1, "optimizer.momentum_start", "must be in [0, 1)", o.MomentumStart);
        Check(o.MomentumEnd is >= 0 and < 1, "optimizer.momentum_end", "must be in [0, 1)", o.MomentumEnd);
        Check(o.MomentumRampEndEpoch > o.MomentumRampStartEpoch, "optimizer.momentum_ramp_end_epoch", "must be after momentum_ramp_start_epoch", o.MomentumRampEndEpoch);
        Check(o.Beta1 is >= 0 and < 1, "optimizer.beta1", "must be in [0, 1)", o.Beta1);
        Check(o.Beta2 is >= 0 and < 1, "optimizer.beta2", "must be in [0, 1)", o.Beta2);
    }
}
