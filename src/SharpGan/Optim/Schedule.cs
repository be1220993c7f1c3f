namespace SharpGan.Optim;

/// <summary>
/// A hyperparameter (learning rate, momentum) as a function of its optimiser's update count: the optimiser reads
/// <see cref="At"/> before each update, so a schedule is set once, where the optimiser is made, and a resumed run
/// (which restores the update count) continues on it exactly. A plain number converts to a constant schedule.
/// Schedules on another clock (epochs, iterations of Algorithm 1) are mapped onto updates with <see cref="InUnits"/>.
/// </summary>
public abstract class Schedule
{
    /// <summary>The value for the update numbered <paramref name="update"/> (the first update is 0).</summary>
    public abstract double At(long update);

    /// <summary>A constant.</summary>
    public static Schedule Constant(double value) => new ConstantSchedule(value);

    /// <summary>A constant schedule: lets a number stand where a schedule is expected.</summary>
    public static implicit operator Schedule(float value) => new ConstantSchedule(value);

    /// <summary>
    /// This schedule read on a coarser clock: update u reads tick ⌊u·<paramref name="unitsPerUpdate"/> / <paramref name="unitsPerTick"/>⌋.
    /// E.g. a ramp over epochs for an optimiser whose every update consumes k of an epoch's B minibatches: InUnits(k, B).
    /// Integer arithmetic, so ticks change exactly at their boundaries.
    /// </summary>
    public Schedule InUnits(long unitsPerUpdate, long unitsPerTick)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitsPerUpdate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(unitsPerTick);
        return new Mapped(this, u => (long)((Int128)u * unitsPerUpdate / unitsPerTick));
    }

    /// <summary>
    /// This schedule held for runs of <paramref name="updates"/> updates: update u reads the value of update ⌊u/n⌋·n.
    /// A discriminator making k updates an iteration uses HeldFor(k) to keep one value through its iteration.
    /// </summary>
    public Schedule HeldFor(long updates)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(updates);
        return new Mapped(this, u => u / updates * updates);
    }

    /// <summary>This schedule started <paramref name="updates"/> updates later (updates made off the schedule do not advance it).</summary>
    public Schedule Delayed(long updates) => new Mapped(this, u => Math.Max(0, u - updates));

    /// <summary>This schedule times <paramref name="factor"/>, rounded to float first so it equals scaling the value an optimiser applies.</summary>
    public Schedule Times(float factor) => new Scaled(this, factor);

    private sealed class ConstantSchedule(double value) : Schedule
    {
        public override double At(long update) => value;
    }

    private sealed class Mapped(Schedule inner, Func<long, long> tick) : Schedule
    {
        public override double At(long update) => inner.At(tick(update));
    }

    private sealed class Scaled(Schedule inner, float factor) : Schedule
    {
        public override double At(long update) => (float)inner.At(update) * factor;
    }
}

/// <summary>
/// A value that moves linearly from <see cref="Start"/> to <see cref="End"/> between two ticks and is constant outside
/// them (pylearn2's MomentumAdjustor; mnist-paper ramps momentum 0.5 → 0.7 over epochs 1–250, read per whole epoch).
/// </summary>
public sealed class LinearRamp : Schedule
{
    /// <summary>Value at or before <see cref="From"/>.</summary>
    public float Start { get; }

    /// <summary>Value at or after <see cref="To"/>.</summary>
    public float End { get; }

    /// <summary>Tick where the ramp starts.</summary>
    public double From { get; }

    /// <summary>Tick where it reaches <see cref="End"/>.</summary>
    public double To { get; }

    /// <summary>Creates the ramp.</summary>
    public LinearRamp(float start, float end, double from, double to)
    {
        if (!(to > from)) throw new ArgumentOutOfRangeException(nameof(to), to, $"ramp must end after it starts (from {from})");
        (Start, End, From, To) = (start, end, from, to);
    }

    /// <summary>The value at a (possibly fractional) tick: Start + (End − Start)·(tick − From) / (To − From), in float.</summary>
    public float ValueAt(double tick)
    {
        if (tick <= From) return Start;
        if (tick >= To) return End;
        return Start + (End - Start) * (float)(tick - From) / (float)(To - From);
    }

    /// <inheritdoc />
    public override double At(long update) => ValueAt(update);
}

/// <summary>Piecewise constant: <c>initial</c> until the first boundary, then each boundary's value from its update on.</summary>
public sealed class PiecewiseConstant : Schedule
{
    private readonly float _initial;
    private readonly (long From, float Value)[] _pieces;

    /// <summary>Creates the schedule; <paramref name="pieces"/> are (first update, value) in increasing order.</summary>
    public PiecewiseConstant(float initial, params (long From, float Value)[] pieces)
    {
        for (int i = 1; i < pieces.Length; i++)
            if (pieces[i].From <= pieces[i - 1].From) throw new ArgumentOutOfRangeException(nameof(pieces), pieces[i].From, "pieces must start at increasing updates");
        (_initial, _pieces) = (initial, pieces);
    }

    /// <inheritdoc />
    public override double At(long update)
    {
        float value = _initial;
        foreach (var (from, v) in _pieces)
            if (update >= from) value = v;
        return value;
    }
}
