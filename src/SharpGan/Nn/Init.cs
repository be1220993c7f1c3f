using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>Weight initialisers. Fan-in and fan-out are read from a (out, in, …) weight shape.</summary>
public static class Init
{
    /// <summary>U(−r, r) — the paper's G uses r = 0.05, its D r = 0.005.</summary>
    public static void Uniform(Tensor t, float range, Rng rng)
    {
        if (!(range >= 0)) throw new ArgumentOutOfRangeException(nameof(range), range, "range must be non-negative");
        rng.FillUniform(t.Data, -range, range);
    }

    /// <summary>N(mean, std²) — DCGAN uses N(0, 0.02²).</summary>
    public static void Normal(Tensor t, float std, Rng rng, float mean = 0f)
    {
        if (!(std >= 0)) throw new ArgumentOutOfRangeException(nameof(std), std, "std must be non-negative");
        rng.FillGaussian(t.Data, mean, std);
    }

    /// <summary>Fills with a constant.</summary>
    public static void Constant(Tensor t, float value) => Array.Fill(t.Data, value);

    /// <summary>Glorot/Xavier uniform: U(±gain·√(6 / (fanIn + fanOut))).</summary>
    public static void XavierUniform(Tensor t, Rng rng, float gain = 1f)
    {
        var (fanIn, fanOut) = Fans(t);
        Uniform(t, gain * MathF.Sqrt(6f / (fanIn + fanOut)), rng);
    }

    /// <summary>He/Kaiming normal for ReLU: N(0, 2 / fanIn).</summary>
    public static void HeNormal(Tensor t, Rng rng)
    {
        var (fanIn, _) = Fans(t);
        Normal(t, MathF.Sqrt(2f / fanIn), rng);
    }

    /// <summary>(fan in, fan out) of a weight shaped (out, in, kernel…).</summary>
    public static (int FanIn, int FanOut) Fans(Tensor t)
    {
        if (t.Shape.Length < 2) throw new ArgumentException($"fan-in needs a weight of rank ≥ 2, got [{Shapes.Format(t.Shape)}]", nameof(t));
        int receptive = t.Length / (t.Shape[0] * t.Shape[1]);
        return (t.Shape[1] * receptive, t.Shape[0] * receptive);
    }
}
