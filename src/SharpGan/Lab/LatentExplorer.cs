using SharpGan.Gan;
using SharpGan.Imaging;
using SharpGan.Tensors;

namespace SharpGan.Lab;

/// <summary>
/// Walks a trained generator's latent space for the explorer page: a base z drawn from a seed, moved along a few fixed
/// random orthonormal directions by slider offsets; a straight line between the z of two seeds; the class asked of a
/// conditional G. Pictures come back as PNG. Thread-safe (one forward at a time): a server's requests share it.
/// </summary>
public sealed class LatentExplorer
{
    /// <summary>Largest |offset| along a direction, in units of the prior's standard deviation.</summary>
    public const double MaxOffset = 4;

    /// <summary>Most interpolation steps.</summary>
    public const int MaxSteps = 16;

    private readonly GanModels _models;
    private readonly NoisePrior _prior;
    private readonly float _low;
    private readonly float[][] _directions;
    private readonly Lock _forward = new();

    /// <summary>Where the generator came from (a checkpoint or a model file), for the page.</summary>
    public string Source { get; }

    /// <summary>Dimension of z.</summary>
    public int NoiseDim => _models.NoiseDim;

    /// <summary>Classes of a conditional G (0 when unconditional).</summary>
    public int Classes => _models.Classes;

    /// <summary>Number of slider directions.</summary>
    public int Directions => _directions.Length;

    /// <summary>Explores <paramref name="models"/>' sampling generator; <paramref name="low"/> is the low end of its pixel range.</summary>
    public LatentExplorer(GanModels models, NoisePrior prior, float low, string source, int directions = 6, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(directions);
        (_models, _prior, _low, Source) = (models, prior, low, source);
        directions = Math.Min(directions, models.NoiseDim);
        // Gram–Schmidt on Gaussian draws: independent directions, each of unit length.
        var rng = new Rng(seed);
        _directions = new float[directions][];
        for (int d = 0; d < directions; d++)
        {
            var v = new float[models.NoiseDim];
            rng.FillGaussian(v);
            for (int e = 0; e < d; e++)
            {
                float dot = Dot(v, _directions[e]);
                for (int i = 0; i < v.Length; i++) v[i] -= dot * _directions[e][i];
            }
            float norm = MathF.Sqrt(Dot(v, v));
            for (int i = 0; i < v.Length; i++) v[i] /= norm;
            _directions[d] = v;
        }
    }

    /// <summary>The z of <paramref name="seed"/> moved by <paramref name="offsets"/> along the directions.</summary>
    public float[] Latent(long seed, ReadOnlySpan<double> offsets)
    {
        Check(seed, offsets);
        var z = new float[NoiseDim];
        _prior.Fill(z, new Rng((ulong)seed));
        float scale = _prior == NoisePrior.UniformUnit ? 1f / MathF.Sqrt(12f) : _prior == NoisePrior.UniformSymmetric ? 1f / MathF.Sqrt(3f) : 1f; // the prior's σ
        for (int d = 0; d < offsets.Length; d++)
            for (int i = 0; i < z.Length; i++) z[i] += (float)offsets[d] * scale * _directions[d][i];
        // A uniform prior has bounds G never saw beyond: stay inside them.
        var (lo, hi) = _prior switch
        {
            NoisePrior.UniformUnitVariance => (-MathF.Sqrt(3f), MathF.Sqrt(3f)),
            NoisePrior.UniformSymmetric => (-1f, 1f),
            NoisePrior.UniformUnit => (0f, 1f),
            _ => (float.NegativeInfinity, float.PositiveInfinity),
        };
        for (int i = 0; i < z.Length; i++) z[i] = Math.Clamp(z[i], lo, hi);
        return z;
    }

    /// <summary>One sample as a PNG, <paramref name="scale"/> pixels per pixel.</summary>
    public byte[] Sample(long seed, ReadOnlySpan<double> offsets, int? label, int scale = 4) =>
        Picture([Latent(seed, offsets)], label, scale);

    /// <summary>The straight line from seed <paramref name="from"/>'s z to seed <paramref name="to"/>'s in <paramref name="steps"/> samples, as one PNG strip.</summary>
    public byte[] Interpolation(long from, long to, int steps, int? label, int scale = 3)
    {
        if (steps is < 2 or > MaxSteps) throw new ArgumentException($"steps must be in [2, {MaxSteps}], got {steps}");
        float[] a = Latent(from, []), b = Latent(to, []);
        var rows = Enumerable.Range(0, steps).Select(s =>
        {
            float t = s / (steps - 1f);
            return a.Zip(b, (x, y) => (1 - t) * x + t * y).ToArray();
        }).ToArray();
        return Picture(rows, label, scale);
    }

    private byte[] Picture(float[][] latents, int? label, int scale)
    {
        if (label is { } c && (Classes == 0 || c < 0 || c >= Classes))
            throw new ArgumentException(Classes == 0 ? "the generator is not conditional: it takes no class" : $"class must be in [0, {Classes - 1}], got {c}");
        if (scale is < 1 or > 8) throw new ArgumentException($"scale must be in [1, 8], got {scale}");
        var z = new Tensor(latents.Length, NoiseDim);
        for (int i = 0; i < latents.Length; i++) latents[i].CopyTo(z.Data, i * NoiseDim);
        var labels = Classes == 0 ? [] : Enumerable.Repeat((byte)(label ?? 0), latents.Length).ToArray();
        Tensor images;
        lock (_forward) images = Samples.Draw(_models, Samples.WithLabels(_models, z, labels));
        var canvas = ImageGrid.Render(images.Data, latents.Length, _models.SampleHeight, _models.SampleWidth, _models.SampleChannels, latents.Length,
            _low, 1f, out int width, out int height, style: new GridStyle { Scale = scale, Padding = 1 });
        return PngWriter.Encode(canvas, width, height, _models.SampleChannels);
    }

    private void Check(long seed, ReadOnlySpan<double> offsets)
    {
        if (seed is < 0 or > int.MaxValue) throw new ArgumentException($"seed must be in [0, {int.MaxValue}], got {seed}");
        if (offsets.Length > Directions) throw new ArgumentException($"at most {Directions} offsets (one a direction), got {offsets.Length}");
        foreach (double o in offsets)
            if (!(Math.Abs(o) <= MaxOffset)) throw new ArgumentException($"an offset must be in [−{MaxOffset}, {MaxOffset}], got {o}");
    }

    private static float Dot(float[] a, float[] b)
    {
        float s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}
