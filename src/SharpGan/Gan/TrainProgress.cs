namespace SharpGan.Gan;

/// <summary>A snapshot after one iteration, for progress displays.</summary>
public sealed record TrainProgress(long Step, long TotalSteps, double Epoch, int TotalEpochs, StepStats Last, float LearningRate, float Momentum, double ImagesPerSecond, TimeSpan Elapsed)
{
    /// <summary>Estimated time left at the current speed.</summary>
    public TimeSpan Remaining => Step == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Elapsed.TotalSeconds / Math.Max(1, Step) * (TotalSteps - Step));
}

/// <summary>How a training run ended.</summary>
public enum TrainOutcome
{
    /// <summary>Reached its epochs or max steps; final checkpoint written.</summary>
    Completed,
    /// <summary>Cancelled (Ctrl-C); a checkpoint of the current step was written.</summary>
    Stopped,
    /// <summary>A loss became NaN or infinite; nothing was written for the diverged state.</summary>
    Diverged,
}

/// <summary>The end of a run: outcome, final step, a one-line message and the newest checkpoint.</summary>
public sealed record TrainResult(TrainOutcome Outcome, long Step, string Message, string? LastCheckpoint);
