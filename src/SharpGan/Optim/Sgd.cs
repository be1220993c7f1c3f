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
    private float _momentum;

    /// <summary>Momentum μ in [0, 1); a momentum schedule may change it between steps.</summary>
    public float Momentum
    {
        get => _momentum;
        set
        {
            if (!(value >= 0f && value < 1f)) throw new ArgumentOutOfRangeException(nameof(Momentum), value, "momentum must be in [0, 1)");
            _momentum = value;
        }
    }

    /// <summary>Creates the optimiser.</summary>
    public Sgd(IEnumerable<(string Name, Tensor Value)> parameters, float learningRate, float momentum = 0f)
        : base(parameters, learningRate)
    {
        Momentum = momentum;
        _velocity = Parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    /// <inheritdoc />
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected override void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient)
    {
        Span<float> v = _velocity[index];
        float mu = Momentum, lr = LearningRate;
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
