namespace SharpGan.Optim;

/// <summary>
/// The paper's learning-rate schedule (pylearn2's ExponentialDecay): after every update the rate is divided
/// by <see cref="Factor"/>, never falling below <see cref="Floor"/>. For mnist-paper: 0.1, factor 1.000004,
/// floor 1e-6. Optional later phases anneal faster: from update <c>From</c> on, the rate reached by then is
/// divided by that phase's factor instead (the reference run decayed for thousands of epochs; a phase
/// compresses that tail). The rate is computed in closed form, initial / factorⁿ in double precision,
/// rather than by repeated float division: a step changes 0.1 by only ~5 float ulps, so repeated division
/// would round away a tenth of every decrement. It also makes a resumed run's rate depend on the update
/// count alone.
/// </summary>
public sealed class ExponentialDecay : Schedule
{
    private readonly (long From, double Factor)[] _phases;

    /// <summary>Rate before the first update.</summary>
    public float Initial { get; }

    /// <summary>Divisor per update (≥ 1) until the first later phase.</summary>
    public double Factor { get; }

    /// <summary>The learning rate never falls below this.</summary>
    public float Floor { get; }

    /// <summary>Creates the schedule; <paramref name="phases"/> are (first update, divisor per update) in increasing order.</summary>
    public ExponentialDecay(float initial, double factor, float floor, IEnumerable<(long From, double Factor)>? phases = null)
    {
        if (!(initial >= 0f) || float.IsInfinity(initial)) throw new ArgumentOutOfRangeException(nameof(initial), initial, "initial learning rate must be a finite non-negative number");
        if (!(factor >= 1.0) || double.IsInfinity(factor)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "decay factor must be a finite number ≥ 1");
        if (!(floor >= 0f)) throw new ArgumentOutOfRangeException(nameof(floor), floor, "floor must be non-negative");
        _phases = phases?.ToArray() ?? [];
        for (int i = 0; i < _phases.Length; i++)
        {
            if (!(_phases[i].Factor >= 1.0) || double.IsInfinity(_phases[i].Factor)) throw new ArgumentOutOfRangeException(nameof(phases), _phases[i].Factor, "phase factor must be a finite number ≥ 1");
            if (_phases[i].From < 0 || (i > 0 && _phases[i].From <= _phases[i - 1].From)) throw new ArgumentOutOfRangeException(nameof(phases), _phases[i].From, "phases must start at increasing, non-negative updates");
        }
        (Initial, Factor, Floor) = (initial, factor, floor);
    }

    /// <summary>The rate after <paramref name="updates"/> updates.</summary>
    public float After(long updates)
    {
        double rate = Initial, factor = Factor;
        long done = 0;
        foreach (var (from, phaseFactor) in _phases)
        {
            if (updates <= from) break;
            rate /= Math.Pow(factor, from - done);
            (done, factor) = (from, phaseFactor);
        }
        return (float)Math.Max(rate / Math.Pow(factor, updates - done), Floor);
    }

    /// <inheritdoc />
    public override double At(long update) => After(update);
}
