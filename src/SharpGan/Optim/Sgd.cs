using System.Numerics;
using SharpGan.Tensors;

namespace SharpGan.Optim;

/// <summary>
/// SGD with classic momentum, the paper's rule: v ← μ·v − lr·g, then θ ← θ + v.
/// (PyTorch's SGD instead keeps v ← μ·v + g and steps −lr·v; the two agree only for a constant lr.)
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[][] _velocity;
    private readonly Schedule _momentum;
    private float _stepMomentum;

    /// <summary>Momentum μ in [0, 1) the next update applies, from the momentum schedule.</summary>
    public override float Momentum => (float)_momentum.At(StepCount);

    /// <summary>Creates the optimiser; <paramref name="momentum"/> is μ as a function of the update count (none: 0).</summary>
    public Sgd(IEnumerable<(string Name, Tensor Value)> parameters, Schedule learningRate, Schedule? momentum = null)
        : base(parameters, learningRate)
    {
        _momentum = momentum ?? 0f;
        CheckMomentum(Momentum);
        _velocity = Parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    private static void CheckMomentum(float mu)
    {
        if (!(mu >= 0f && mu < 1f)) throw new ArgumentOutOfRangeException(nameof(Momentum), mu, "momentum must be in [0, 1)");
    }

    /// <inheritdoc />
    protected override void BeginStep()
    {
        _stepMomentum = Momentum;
        CheckMomentum(_stepMomentum);
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void Update(int index, int start, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate)
    {
        Span<float> v = _velocity[index].AsSpan(start, parameter.Length);
        float mu = _stepMomentum, lr = learningRate;
        int i = 0, w = Vector<float>.Count;
        var vmu = new Vector<float>(mu);
        var vlr = new Vector<float>(lr);
        for (; i <= v.Length - w; i += w)
        {
            var vel = new Vector<float>(v[i..]) * vmu - new Vector<float>(gradient[i..]) * vlr;
            vel.CopyTo(v[i..]);
            (new Vector<float>(parameter[i..]) + vel).CopyTo(parameter[i..]);
        }
        for (; i < v.Length; i++)
        {
            v[i] = mu * v[i] - lr * gradient[i];
            parameter[i] += v[i];
        }
    }

    /// <inheritdoc />
    public override IEnumerable<(string Name, float[] Buffer)> StateBuffers() =>
        Parameters.Select((p, i) => ("velocity." + p.Name, _velocity[i]));
}
