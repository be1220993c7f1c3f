using System.Numerics;
using SharpGan.Tensors;

namespace SharpGan.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba), with PyTorch's bias correction:
/// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; θ ← θ − lr·m̂ / (√v̂ + ε), m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _m, _v;

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator guard.</summary>
    public float Epsilon { get; }

    /// <summary>Creates the optimiser (DCGAN: lr 2e-4, β1 0.5, β2 0.999).</summary>
    public Adam(IEnumerable<(string Name, Tensor Value)> parameters, Schedule? learningRate = null, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(parameters, learningRate ?? 1e-3f)
    {
        if (!(beta1 >= 0f && beta1 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (!(beta2 >= 0f && beta2 < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        if (!(epsilon > 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive");
        (Beta1, Beta2, Epsilon) = (beta1, beta2, epsilon);
        _m = Parameters.Select(p => new float[p.Value.Length]).ToArray();
        _v = Parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void Update(int index, int start, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate)
    {
        Span<float> m = _m[index].AsSpan(start, parameter.Length), v = _v[index].AsSpan(start, parameter.Length);
        long t = StepCount + 1;
        float b1 = Beta1, b2 = Beta2;
        float correction1 = 1f - MathF.Pow(b1, t), correction2 = 1f - MathF.Pow(b2, t);
        float stepSize = learningRate / correction1, rootCorrection2 = MathF.Sqrt(correction2);
        int i = 0, w = Vector<float>.Count;
        var vb1 = new Vector<float>(b1); var vb1c = new Vector<float>(1 - b1);
        var vb2 = new Vector<float>(b2); var vb2c = new Vector<float>(1 - b2);
        var vstep = new Vector<float>(stepSize); var vroot = new Vector<float>(rootCorrection2); var veps = new Vector<float>(Epsilon);
        for (; i <= m.Length - w; i += w)
        {
            var g = new Vector<float>(gradient[i..]);
            var mi = vb1 * new Vector<float>(m[i..]) + vb1c * g;
            var vi = vb2 * new Vector<float>(v[i..]) + vb2c * g * g;
            mi.CopyTo(m[i..]);
            vi.CopyTo(v[i..]);
            (new Vector<float>(parameter[i..]) - vstep * mi / (Vector.SquareRoot(vi) / vroot + veps)).CopyTo(parameter[i..]);
        }
        for (; i < m.Length; i++)
        {
            float g = gradient[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            parameter[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) / rootCorrection2 + Epsilon);
        }
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, float[] Buffer)> StateBuffers() =>
        Parameters.SelectMany((p, i) => new[] { ("m." + p.Name, _m[i]), ("v." + p.Name, _v[i]) });
}
