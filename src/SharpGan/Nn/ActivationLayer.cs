using SharpGan.Autograd;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Nn;

/// <summary>A standalone pointwise activation (ReLU, LeakyReLU, Sigmoid, Tanh). Prefer fusing into <see cref="Linear"/>.</summary>
public sealed class ActivationLayer : Module
{
    /// <summary>The function applied.</summary>
    public Activation Activation { get; }

    /// <summary>LeakyReLU's negative slope.</summary>
    public float Slope { get; }

    /// <summary>Creates the layer.</summary>
    public ActivationLayer(Activation activation, float slope = 0.2f)
    {
        if (activation == Activation.LeakyReLU && !(slope > 0)) throw new ArgumentOutOfRangeException(nameof(slope), slope, "LeakyReLU slope must be positive");
        Activation = activation;
        Slope = slope;
    }

    /// <summary>max(x, 0).</summary>
    public static ActivationLayer ReLU() => new(Activation.ReLU);

    /// <summary>LeakyReLU with the given slope (DCGAN uses 0.2).</summary>
    public static ActivationLayer LeakyReLU(float slope = 0.2f) => new(Activation.LeakyReLU, slope);

    /// <summary>Logistic sigmoid.</summary>
    public static ActivationLayer Sigmoid() => new(Activation.Sigmoid);

    /// <summary>Hyperbolic tangent.</summary>
    public static ActivationLayer Tanh() => new(Activation.Tanh);

    /// <summary>softplus(x) = log(1 + eˣ).</summary>
    public static ActivationLayer Softplus() => new(Activation.Softplus);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => Ops.Activate(input, Activation, Slope);
}
