namespace SharpGan.Optim;

/// <summary>
/// A value that moves linearly from <see cref="Start"/> to <see cref="End"/> between two epochs and is
/// constant outside them (pylearn2's MomentumAdjustor; mnist-paper ramps momentum 0.5 → 0.7 over epochs 1–250).
/// </summary>
public sealed class LinearRamp
{
    /// <summary>Value at or before <see cref="FromEpoch"/>.</summary>
    public float Start { get; }

    /// <summary>Value at or after <see cref="ToEpoch"/>.</summary>
    public float End { get; }

    /// <summary>Epoch where the ramp starts.</summary>
    public double FromEpoch { get; }

    /// <summary>Epoch where it reaches <see cref="End"/>.</summary>
    public double ToEpoch { get; }

    /// <summary>Creates the ramp.</summary>
    public LinearRamp(float start, float end, double fromEpoch, double toEpoch)
    {
        if (!(toEpoch > fromEpoch)) throw new ArgumentOutOfRangeException(nameof(toEpoch), toEpoch, $"ramp must end after it starts (from epoch {fromEpoch})");
        (Start, End, FromEpoch, ToEpoch) = (start, end, fromEpoch, toEpoch);
    }

    /// <summary>The value at a (possibly fractional) epoch.</summary>
    public float ValueAt(double epoch)
    {
        if (epoch <= FromEpoch) return Start;
        if (epoch >= ToEpoch) return End;
        return (float)(Start + (End - Start) * (epoch - FromEpoch) / (ToEpoch - FromEpoch));
    }
}
