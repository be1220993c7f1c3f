using SharpGan.Gan;

namespace SharpGan.Training;

/// <summary>
/// A snapshot after one iteration, for progress displays. Step, epoch and totals count the whole run (a resumed run
/// shows where it stands overall); speed and time left are measured over this process's own iterations.
/// </summary>
/// <param name="Step">Iterations of the whole run done.</param>
/// <param name="TotalSteps">Iterations the whole run will do.</param>
/// <param name="Epoch">Epochs done (fractional).</param>
/// <param name="TotalEpochs">Epochs the run will do.</param>
/// <param name="Last">The latest iteration's losses and D outputs.</param>
/// <param name="LearningRate">D's learning rate now.</param>
/// <param name="Momentum">SGD momentum now (0 for Adam).</param>
/// <param name="ImagesPerStep">Real images one iteration takes (batch size × k).</param>
/// <param name="SessionSteps">Iterations this process has run (0 before the first finishes).</param>
/// <param name="SessionElapsed">Wall time of those iterations, checkpoints and samples included.</param>
/// <param name="Elapsed">Training time of the whole run, earlier sessions included.</param>
public sealed record TrainProgress(long Step, long TotalSteps, double Epoch, int TotalEpochs, StepStats Last, float LearningRate, float Momentum,
    long SessionSteps, TimeSpan SessionElapsed, TimeSpan Elapsed, int ImagesPerStep)
{
    /// <summary>Real images D has seen per second in this session; null until an iteration has finished.</summary>
    public double? ImagesPerSecond => SessionSteps == 0 || SessionElapsed <= TimeSpan.Zero ? null : SessionSteps * ImagesPerStep / SessionElapsed.TotalSeconds;

    /// <summary>Estimated time left at this session's average speed; null until an iteration has finished.</summary>
    public TimeSpan? Remaining => SessionSteps == 0 ? null : SessionElapsed / SessionSteps * (TotalSteps - Step);

    /// <summary>Fraction of the whole run done, in [0, 1].</summary>
    public double Fraction => TotalSteps <= 0 ? 1 : Math.Clamp((double)Step / TotalSteps, 0, 1);
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
