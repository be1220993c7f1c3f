using System.Text.Json.Serialization;
using SharpGan.Data;
using SharpGan.Tensors;

namespace SharpGan.Training;

/// <summary>Everything besides weights and optimiser buffers that a resumed run needs to continue exactly.</summary>
public sealed record TrainerState
{
    /// <summary>Completed iterations of Algorithm 1.</summary>
    public long Step { get; init; }

    /// <summary>Where the shuffled minibatches stand ("sampler" in the file, its name before the rename).</summary>
    [JsonPropertyName("sampler")]
    public required MinibatchPosition Minibatches { get; init; }

    /// <summary>The run's random streams by name (<see cref="SharpGan.Tensors.RandomStreams.GetState"/>).</summary>
    public Dictionary<string, ulong[]>? Random { get; init; }

    /// <summary>Checkpoints written before <see cref="Random"/> saved only these two streams; read, never written.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong[]? NoiseRng { get; init; }

    /// <summary>See <see cref="NoiseRng"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong[]? DropoutRng { get; init; }

    /// <summary>The saved streams, reading an older checkpoint's two named fields when <see cref="Random"/> is absent.</summary>
    public IReadOnlyDictionary<string, ulong[]> RandomState() => Random ?? new()
    {
        [RandomStreams.NameOf(RandomStream.Noise)] = NoiseRng ?? [],
        [RandomStreams.NameOf(RandomStream.Dropout)] = DropoutRng ?? [],
    };

    /// <summary>Updates applied by G's optimiser (drives the learning-rate schedule and Adam's bias correction).</summary>
    public long GeneratorUpdates { get; init; }

    /// <summary>Updates applied by D's optimiser.</summary>
    public long DiscriminatorUpdates { get; init; }

    /// <summary>Training wall time so far, seconds.</summary>
    public double ElapsedSeconds { get; init; }
}
