using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json;
using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Models;

namespace SharpGan.Training;

/// <summary>
/// Reads, writes and validates <see cref="GanConfig"/> as snake_case JSON. Errors speak the file's words: every
/// problem at once, each as field path, rule and the value given
/// (<c>model.noise_prior must be one of gaussian, uniform_unit_variance, …; got "uniform"</c>), never a .NET type name.
/// </summary>
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

    /// <summary>Largest config file read (a preset's JSON is about 1.5 KB).</summary>
    public const int MaxConfigBytes = 1 << 20;

    /// <summary>Serialises a config.</summary>
    public static string ToJson(GanConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>Parses and validates; <paramref name="source"/> names the file in errors. Throws <see cref="ConfigException"/> listing every problem.</summary>
    public static GanConfig FromJson(string json, string source)
    {
        if (json.Length > MaxConfigBytes) throw new ConfigException($"{source}: {json.Length} characters is too long for a config (at most {MaxConfigBytes})");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new ConfigException($"{source}: not valid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: {PlainJsonError(e.Message)}");
        }
        GanConfig? config;
        using (document)
        {
            var problems = new List<string>();
            CheckObject(document.RootElement, typeof(GanConfig), "", problems);
            Throw(source, problems);
            try
            {
                config = document.RootElement.Deserialize<GanConfig>(Options);
            }
            catch (JsonException e) // the schema walk above should leave nothing for the serializer to refuse
            {
                throw new ConfigException($"{source}: invalid config at {e.Path?.TrimStart('$', '.')}");
            }
        }
        if (config is null) throw new ConfigException($"{source}: the config is null; expected an object");
        Validate(config, source);
        return config;
    }

    /// <summary>Reads and validates a config file.</summary>
    public static GanConfig Load(string path) => FromJson(ReadText(path, "train --preset NAME --print-config"), path);

    /// <summary>
    /// The text of a config file, read with at most <see cref="MaxConfigBytes"/> bytes allocated and a leading UTF-8
    /// byte-order mark dropped (editors on Windows may save one); a folder, a missing file or an oversized one throws
    /// <see cref="ConfigException"/> naming the path and, for a folder, the command (<paramref name="writer"/>) that
    /// writes a config.
    /// </summary>
    internal static string ReadText(string path, string writer)
    {
        if (Directory.Exists(path)) throw new ConfigException($"{path}: is a folder; give a config file (write one with {writer})");
        if (!File.Exists(path)) throw new ConfigException($"{path}: config file not found");
        byte[] bytes;
        try { bytes = FileBytes.Read(path, MaxConfigBytes); }
        catch (Exception e) when (e is InvalidDataException or IOException) { throw new ConfigException(e.Message); }
        int bom = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        return System.Text.Encoding.UTF8.GetString(bytes, bom, bytes.Length - bom);
    }

    // "'x' is an invalid start of a value. LineNumber: 3 | BytePositionInLine: 5." → "'x' is an invalid start of a value."
    private static string PlainJsonError(string message)
    {
        int at = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        string first = (at >= 0 ? message[..at] : message).Split('\n')[0].Trim();
        return first.Length > 0 ? first : "malformed JSON";
    }

    private static void Throw(string source, List<string> problems)
    {
        if (problems.Count == 1) throw new ConfigException($"{source}: {problems[0]}");
        if (problems.Count > 1) throw new ConfigException($"{source}: {problems.Count} problems: {string.Join("; ", problems)}");
    }

    // Walks the JSON against the config's C# shape, so that type errors are reported per field, all of them.
    private static void CheckObject(JsonElement node, Type type, string path, List<string> problems)
    {
        string what = path.Length == 0 ? "the config" : path;
        if (node.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{what} must be an object {{…}}; got {Shown(node)}");
            return;
        }
        var fields = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name), p => p.PropertyType);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in node.EnumerateObject())
        {
            string field = path.Length == 0 ? item.Name : path + "." + item.Name;
            if (!seen.Add(item.Name)) problems.Add($"{field} appears twice");
            else if (!fields.TryGetValue(item.Name, out var fieldType))
                problems.Add($"{field} is not a known field; {(path.Length == 0 ? "top-level" : path)} fields are {string.Join(", ", fields.Keys)}");
            else CheckValue(item.Value, fieldType, field, problems);
        }
    }

    private static void CheckValue(JsonElement value, Type type, string field, List<string> problems)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (nullable is null) problems.Add($"{field} must be {Expected(type)}; got null");
            return;
        }
        type = nullable ?? type;
        bool ok = type switch
        {
            _ when type == typeof(string) => value.ValueKind == JsonValueKind.String,
            _ when type == typeof(bool) => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            _ when type == typeof(int) => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            _ when type == typeof(long) => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            _ when type == typeof(float) => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double f) && Math.Abs(f) <= float.MaxValue,
            _ when type == typeof(double) => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d),
            _ when type.IsEnum => value.ValueKind == JsonValueKind.String && EnumNames(type).Contains(value.GetString()!),
            _ when ListElement(type) is { } element => CheckList(value, element, field, problems),
            _ => CheckNested(value, type, field, problems),
        };
        if (!ok) problems.Add($"{field} must be {Expected(type)}; got {Shown(value)}");
    }

    private static bool CheckList(JsonElement value, Type element, string field, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Array) return false;
        int i = 0;
        foreach (var item in value.EnumerateArray()) CheckValue(item, element, $"{field}[{i++}]", problems);
        return true;
    }

    private static bool CheckNested(JsonElement value, Type type, string field, List<string> problems)
    {
        if (value.ValueKind != JsonValueKind.Object) return false;
        CheckObject(value, type, field, problems);
        return true;
    }

    private static Type? ListElement(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;

    private static IReadOnlyList<string> EnumNames(Type type) => Enum.GetNames(type).Select(name => EnumName(type, name)).ToList();

    // The name JsonStringEnumConverter reads and writes: the member's [JsonStringEnumMemberName], else snake_case.
    private static string EnumName(Type type, string member) =>
        type.GetField(member)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(member);

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "a string",
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(int) => "a whole number (32-bit)",
        var t when t == typeof(long) => "a whole number",
        var t when t == typeof(float) || t == typeof(double) => "a finite number",
        var t when t.IsEnum => "one of " + string.Join(", ", EnumNames(t)),
        var t when ListElement(t) is not null => "a list [...]",
        _ => "an object {…}",
    };

    private static string Shown(JsonElement value)
    {
        string text = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            _ => value.GetRawText(),
        };
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    /// <summary>
    /// Upper bounds on sizes, so that a config (or a checkpoint's embedded config) cannot ask for gigabytes: each is
    /// far beyond what the presets use, and the networks together stay below <see cref="MaxNetworkElements"/>.
    /// </summary>
    public const int MaxNoiseDim = 4096, MaxHidden = 16384, MaxPieces = 64, MaxFeatures = 1024, MaxBatchSize = 65536, MaxK = 1000;

    /// <summary>The most weights and buffers G and D may hold together (2 GB of float32).</summary>
    public const long MaxNetworkElements = 500_000_000;

    /// <summary>Throws <see cref="ConfigException"/> naming every invalid field.</summary>
    public static void Validate(GanConfig c, string source = "config")
    {
        var problems = new List<string>();
        void Check(bool ok, string field, string rule, object? value)
        {
            if (!ok) problems.Add($"{field} {rule}, got {Shown(value)}");
        }
        static string Shown(object? value) => value switch
        {
            null => "null",
            string s => $"\"{s}\"",
            Enum e => $"\"{EnumName(e.GetType(), e.ToString())}\"",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null",
        };
        bool datasetKnown = c.Dataset is not null && DatasetCatalog.Names.Contains(c.Dataset);
        if (!datasetKnown) problems.Add(DatasetCatalog.UnknownMessage(c.Dataset ?? "null"));
        Check(c.TrainLimit is null || c.TrainLimit > 0, "train_limit", "must be positive or null", c.TrainLimit);
        var m = c.Model;
        bool architectureKnown = Enum.IsDefined(m.Architecture);
        Check(architectureKnown, "model.architecture", $"must be one of {string.Join(", ", Architectures.All.Select(a => a.Name()))}", m.Architecture);
        Check(m.NoiseDim is > 0 and <= MaxNoiseDim, "model.noise_dim", $"must be in [1, {MaxNoiseDim}]", m.NoiseDim);
        Check(m.GeneratorHidden is > 0 and <= MaxHidden, "model.generator_hidden", $"must be in [1, {MaxHidden}]", m.GeneratorHidden);
        Check(m.Features is > 0 and <= MaxFeatures, "model.features", $"must be in [1, {MaxFeatures}]", m.Features);
        Check(!architectureKnown || m.Architecture.Dcgan() is null || c.PixelRange == PixelRange.MinusOneOne, "pixel_range", $"must be minus_one_one for {(architectureKnown ? m.Architecture.Name() : "")} (its generator ends in tanh)", c.PixelRange);
        if (datasetKnown && architectureKnown && ModelFactory.ImageSizeMismatch(c) is { } mismatch) problems.Add(mismatch);
        Check(m.Architecture != Architecture.MlpMaxout || c.PixelRange == PixelRange.ZeroOne, "pixel_range", "must be zero_one for mlp-maxout (its generator ends in a sigmoid)", c.PixelRange);
        Check(m.DiscriminatorUnits is > 0 and <= MaxHidden, "model.discriminator_units", $"must be in [1, {MaxHidden}]", m.DiscriminatorUnits);
        Check(m.DiscriminatorPieces is > 0 and <= MaxPieces, "model.discriminator_pieces", $"must be in [1, {MaxPieces}]", m.DiscriminatorPieces);
        Check(m.DiscriminatorInputKeep is > 0 and <= 1, "model.discriminator_input_keep", "must be in (0, 1]", m.DiscriminatorInputKeep);
        Check(m.DiscriminatorHiddenKeep is > 0 and <= 1, "model.discriminator_hidden_keep", "must be in (0, 1]", m.DiscriminatorHiddenKeep);
        Check(m.GeneratorInitRange >= 0 && float.IsFinite(m.GeneratorInitRange), "model.generator_init_range", "must be a finite number ≥ 0", m.GeneratorInitRange);
        Check(m.DiscriminatorInitRange >= 0 && float.IsFinite(m.DiscriminatorInitRange), "model.discriminator_init_range", "must be a finite number ≥ 0", m.DiscriminatorInitRange);
        if (datasetKnown && architectureKnown && problems.Count == 0 && ModelFactory.StateElementCount(c) is var elements && elements > MaxNetworkElements)
            problems.Add($"model: these sizes make networks of {elements:N0} weights; at most {MaxNetworkElements:N0}");
        var t = c.Training;
        Check(t.BatchSize is > 0 and <= MaxBatchSize, "training.batch_size", $"must be in [1, {MaxBatchSize}]", t.BatchSize);
        Check(t.K is > 0 and <= MaxK, "training.k", $"must be in [1, {MaxK}]", t.K);
        Check(!t.Simultaneous || t.K == 1, "training.k", "must be 1 with training.simultaneous", t.K);
        Check(t.Epochs > 0, "training.epochs", "must be positive", t.Epochs);
        Check(t.MaxSteps is null || t.MaxSteps > 0, "training.max_steps", "must be positive or null", t.MaxSteps);
        Check(t.LogEvery > 0, "training.log_every", "must be positive", t.LogEvery);
        Check(t.SampleEvery >= 0, "training.sample_every", "must be ≥ 0 (0 = every epoch)", t.SampleEvery);
        Check(t.EvalEvery >= 0, "training.eval_every", "must be ≥ 0 (0 = never)", t.EvalEvery);
        Check(t.EvalSamples is >= 100 and <= 10_000, "training.eval_samples", "must be in [100, 10000] (the test set's size)", t.EvalSamples);
        Check(t.CheckpointEvery >= 0, "training.checkpoint_every", "must be ≥ 0 (0 = every epoch)", t.CheckpointEvery);
        Check(t.KeepCheckpoints is > 0 and <= 1000, "training.keep_checkpoints", "must be in [1, 1000]", t.KeepCheckpoints);
        Check(t.GeneratorEma is >= 0 and < 1, "training.generator_ema", "must be in [0, 1) (0 = no average)", t.GeneratorEma);
        Check(Enum.IsDefined(t.Objective), "training.objective", "must be standard, hinge, wasserstein or least_squares", t.Objective);
        Check(Enum.IsDefined(t.GradientPenalty), "training.gradient_penalty", "must be none, wgan_gp or r1", t.GradientPenalty);
        Check(t.PenaltyWeight is >= 0 and <= 1e4f, "training.penalty_weight", "must be in [0, 10000]", t.PenaltyWeight);
        Check(t.GradientPenalty == GradientPenalty.None || !t.Simultaneous, "training.gradient_penalty", "is not supported with training.simultaneous", t.GradientPenalty);
        Check(t.Objective == GanObjective.Standard || !t.Simultaneous, "training.objective", "must be standard with training.simultaneous", t.Objective);
        Check(m.DiscriminatorBatchNorm || m.Architecture.Dcgan() is not null || !architectureKnown, "model.discriminator_batch_norm", "must be true for mlp-maxout (its discriminator has no batch norm to switch off)", m.DiscriminatorBatchNorm);
        Check(t.GradientPenalty != GradientPenalty.WganGp || !m.DiscriminatorBatchNorm || m.Architecture.Dcgan() is null || !architectureKnown,
            "model.discriminator_batch_norm", "must be false with the wgan_gp penalty (batch norm makes each example's gradient depend on the others; Gulrajani et al. leave it out)", m.DiscriminatorBatchNorm);
        var o = c.Optimizer;
        Check(Enum.IsDefined(o.Kind), "optimizer.kind", "must be sgd or adam", o.Kind);
        Check(o.LearningRate > 0 && float.IsFinite(o.LearningRate), "optimizer.learning_rate", "must be a finite positive number", o.LearningRate);
        Check(o.DiscriminatorLearningRate is null || (o.DiscriminatorLearningRate > 0 && float.IsFinite(o.DiscriminatorLearningRate.Value)),
            "optimizer.discriminator_learning_rate", "must be a finite positive number or null (= learning_rate)", o.DiscriminatorLearningRate);
        Check(o.LrDecayFactor >= 1 && double.IsFinite(o.LrDecayFactor), "optimizer.lr_decay_factor", "must be a finite number ≥ 1", o.LrDecayFactor);
        Check(o.LrFloor >= 0 && float.IsFinite(o.LrFloor), "optimizer.lr_floor", "must be a finite number ≥ 0", o.LrFloor);
        Check(o.LrAnneal is not null, "optimizer.lr_anneal", "must be a list (empty for none)", null);
        var phases = o.LrAnneal ?? [];
        Check(phases.Count <= 1000, "optimizer.lr_anneal", "must have at most 1000 phases", phases.Count);
        for (int i = 0; i < phases.Count && i < 1000; i++)
        {
            var phase = phases[i];
            Check(phase is not null, $"optimizer.lr_anneal[{i}]", "must be an object with from_step and factor", null);
            if (phase is null) continue;
            Check(phase.Factor >= 1 && double.IsFinite(phase.Factor), $"optimizer.lr_anneal[{i}].factor", "must be a finite number ≥ 1", phase.Factor);
            long previous = i == 0 || phases[i - 1] is null ? -1 : phases[i - 1].FromStep;
            Check(phase.FromStep > previous, $"optimizer.lr_anneal[{i}].from_step", i == 0 ? "must be ≥ 0" : "must be after the previous phase's from_step", phase.FromStep);
        }
        Check(o.MomentumStart is >= 0 and < 1, "optimizer.momentum_start", "must be in [0, 1)", o.MomentumStart);
        Check(o.MomentumEnd is >= 0 and < 1, "optimizer.momentum_end", "must be in [0, 1)", o.MomentumEnd);
        Check(double.IsFinite(o.MomentumRampStartEpoch) && o.MomentumRampEndEpoch > o.MomentumRampStartEpoch && double.IsFinite(o.MomentumRampEndEpoch),
            "optimizer.momentum_ramp_end_epoch", "must be a finite number after momentum_ramp_start_epoch", o.MomentumRampEndEpoch);
        Check(o.Beta1 is >= 0 and < 1, "optimizer.beta1", "must be in [0, 1)", o.Beta1);
        Check(o.Beta2 is >= 0 and < 1, "optimizer.beta2", "must be in [0, 1)", o.Beta2);
        Throw(source, problems);
    }
}
