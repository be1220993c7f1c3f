using SharpGan.Data;

namespace SharpGan.Training;

/// <summary>Everything besides weights and optimiser buffers that a resumed run needs to continue exactly.</summary>
public sealed record TrainerState
{
    /// <summary>Completed iterations of Algorithm 1.</summary>
    public long Step { get; init; }

    /// <summary>Where the minibatch sampler stands.</summary>
    public required SamplerState Sampler { get; init; }

    /// <summary>State of the noise Rng.</summary>
    public required ulong[] NoiseRng { get; init; }

    /// <summary>State of the dropout Rng.</summary>
    public required ulong[] DropoutRng { get; init; }

    /// <summary>Updates applied by G's optimiser (drives the learning-rate schedule and Adam's bias correction).</summary>
    public long GeneratorUpdates { get; init; }

    /// <summary>Updates applied by D's optimiser.</summary>
    public long DiscriminatorUpdates { get; init; }

    /// <summary>Training wall time so far, seconds.</summary>
    public double ElapsedSeconds { get; init; }
}
