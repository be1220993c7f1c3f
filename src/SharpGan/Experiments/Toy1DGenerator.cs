using SharpGan.Autograd;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Experiments;

/// <summary>
/// The 1-D experiment's generator: u = logit(z) for z ~ U(0, 1), then G(z) = v·u + Σₕ aₕ·tanh(wₕ·u + cₕ) + b.
/// </summary>
/// <remarks>
/// Why this shape: to turn uniform z into a Gaussian, G must approximate the inverse CDF, whose slope grows without
/// bound at z → 0 and 1. A tanh network of z itself is bounded and flat at the ends, so it cuts the tails off and
/// piles their mass into spikes at the edges of its range (JSD stuck near 0.03 nats, D never flat). After the fixed
/// logit, z is logistic-distributed — unbounded, with a bell shape close to the Gaussian — so the linear path v·u
/// carries location and scale and the tanh units only bend the shape. Noise still enters only at the bottom layer.
/// </remarks>
public sealed class Toy1DGenerator : Module
{
    private readonly Tensor _hiddenWeight, _hiddenBias, _outWeight, _outBias;

    /// <summary>Creates G with <paramref name="hidden"/> tanh units (weights set by <see cref="Initialize"/>).</summary>
    public Toy1DGenerator(int hidden)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hidden);
        _hiddenWeight = RegisterParameter("hidden.weight", new Tensor(hidden, 1));
        _hiddenBias = RegisterParameter("hidden.bias", new Tensor(hidden));
        _outWeight = RegisterParameter("out.weight", new Tensor(1, hidden + 1)); // column 0: v (the linear path), then aₕ
        _outBias = RegisterParameter("out.bias", new Tensor(1));
    }

    /// <summary>
    /// Xavier tanh units with no output weight, and a linear path that makes p_g a logistic centred at
    /// <paramref name="startMean"/> with standard deviation <paramref name="startStd"/> — off target, as in Figure 1.
    /// </summary>
    public void Initialize(double startMean, double startStd, Rng rng)
    {
        Init.XavierUniform(_hiddenWeight, rng);
        Init.Constant(_hiddenBias, 0f);
        Init.Constant(_outWeight, 0f);
        _outWeight.Data[0] = (float)(startStd * Math.Sqrt(3) / Math.PI); // logistic scale s has std s·π/√3
        _outBias.Data[0] = (float)startMean;
    }

    /// <summary>(n, 1) uniform z → (n, 1) samples x.</summary>
    public override Tensor Forward(Tensor z)
    {
        // The logit is a fixed input transform: z needs no gradient, so it is computed outside the tape.
        var u = new Tensor(z.Shape);
        for (int i = 0; i < z.Length; i++)
        {
            float p = Math.Clamp(z.Data[i], 1e-7f, 1 - 1e-7f);
            u.Data[i] = MathF.Log(p / (1 - p));
        }
        var h = Ops.Linear(u, _hiddenWeight, _hiddenBias, Activation.Tanh);
        return Ops.Linear(Ops.Concat(1, u, h), _outWeight, _outBias);
    }
}
