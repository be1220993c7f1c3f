namespace SharpGan.Optim;

/// <summary>
/// The paper's learning-rate schedule (pylearn2's ExponentialDecay): after every update lr ← max(lr / factor, floor).
/// For mnist-paper: factor 1.000004, floor 1e-6.
/// </summary>
public sealed class LearningRateDecay
{
    /// <summary>Divisor applied after each update (≥ 1).</summary>
    public double Factor { get; }

    /// <summary>The learning rate never falls below this.</summary>
    public float Floor { get; }

    /// <summary>Creates the schedule.</summary>
    public LearningRateDecay(double factor, float floor)
    {
        if (!(factor >= 1.0) || double.IsInfinity(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "decay factor must be a finite number ≥ 1");
        if (!(floor >= 0f)) throw new ArgumentOutOfRangeException(nameof(floor), floor, "floor must be non-negative");
        Factor = factor;
        Floor = floor;
    }

    /// <summary>Applies one decay step to the optimiser's learning rate.</summary>
    public void Step(Optimizer optimizer) =>
        optimizer.LearningRate = Math.Max((float)(optimizer.LearningRate / Factor), Floor);

    /// <summary>The rate after <paramref name="updates"/> decays from <paramref name="initial"/> (closed form).</summary>
    public float After(float initial, long updates) => Math.Max((float)(initial / Math.Pow(Factor, updates)), Floor);
}
