namespace SharpGan.Optim;

/// <summary>
/// The paper's learning-rate schedule (pylearn2's ExponentialDecay): after every update the rate is divided
/// by <see cref="Factor"/>, never falling below <see cref="Floor"/>. For mnist-paper: 0.1, factor 1.000004,
/// floor 1e-6. The rate is computed in closed form, initial / factorⁿ in double precision, rather than by
/// repeated float division: a step changes 0.1 by only ~5 float ulps, so repeated division would round
/// away a tenth of every decrement. It also makes a resumed run's rate depend on the update count alone.
/// </summary>
public sealed class LearningRateDecay
{
    /// <summary>Rate before the first update.</summary>
    public float Initial { get; }

    /// <summary>Divisor per update (≥ 1).</summary>
    public double Factor { get; }

    /// <summary>The learning rate never falls below this.</summary>
    public float Floor { get; }

    /// <summary>Creates the schedule.</summary>
    public LearningRateDecay(float initial, double factor, float floor)
    {
        if (!(initial >= 0f) || float.IsInfinity(initial)) throw new ArgumentOutOfRangeException(nameof(initial), initial, "initial learning rate must be a finite non-negative number");
        if (!(factor >= 1.0) || double.IsInfinity(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "decay factor must be a finite number ≥ 1");
        if (!(floor >= 0f)) throw new ArgumentOutOfRangeException(nameof(floor), floor, "floor must be non-negative");
        (Initial, Factor, Floor) = (initial, factor, floor);
    }

    /// <summary>The rate after <paramref name="updates"/> updates.</summary>
    public float After(long updates) => (float)Math.Max(Initial / Math.Pow(Factor, updates), Floor);

    /// <summary>Sets the optimiser's rate for its next update from the updates it has made so far.</summary>
    public void Apply(Optimizer optimizer) => optimizer.LearningRate = After(optimizer.StepCount);
}
