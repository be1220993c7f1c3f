using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Gan;

/// <summary>
/// DCGAN for 28×28 images (PAPER §7): G ConvT(nz→4f, 7,1,0) → ConvT(4f→2f, 4,2,1) → ConvT(2f→1, 4,2,1), BatchNorm + ReLU
/// between, Tanh out; D Conv(1→f, 4,2,1) + LeakyReLU → Conv(f→2f, 4,2,1) + BN + LeakyReLU → Conv(2f→1, 7,1,0) (a logit).
/// Both take and give flat (N, 784) tensors, so they plug into the same trainer as the MLPs. Convs have no bias
/// (BatchNorm's β takes its place), as in the reference implementation.
/// </summary>
public static class Dcgan28
{
    /// <summary>The generator.</summary>
    public static Sequential Generator(int noiseDim, int features) => new(
        new Reshape(noiseDim, 1, 1),
        new ConvTranspose2d(noiseDim, 4 * features, 7, 1, 0, bias: false), new BatchNorm(4 * features), ActivationLayer.ReLU(),
        new ConvTranspose2d(4 * features, 2 * features, 4, 2, 1, bias: false), new BatchNorm(2 * features), ActivationLayer.ReLU(),
        new ConvTranspose2d(2 * features, 1, 4, 2, 1, bias: false), ActivationLayer.Tanh(),
        new Reshape(784));

    /// <summary>The discriminator.</summary>
    public static Sequential Discriminator(int features) => new(
        new Reshape(1, 28, 28),
        new Conv2d(1, features, 4, 2, 1, bias: false), ActivationLayer.LeakyReLU(0.2f),
        new Conv2d(features, 2 * features, 4, 2, 1, bias: false), new BatchNorm(2 * features), ActivationLayer.LeakyReLU(0.2f),
        new Conv2d(2 * features, 1, 7, 1, 0, bias: false),
        new Reshape(1));

    /// <summary>DCGAN's initialisation: conv weights N(0, 0.02²), BatchNorm γ ~ N(1, 0.02²), β = 0.</summary>
    public static void Initialize(Module network, Rng rng)
    {
        foreach (var (name, p) in network.NamedParameters())
        {
            bool batchNorm = p.Shape.Length == 1;
            if (batchNorm && name.EndsWith("weight")) Init.Normal(p, 0.02f, rng, mean: 1f);
            else if (batchNorm) Init.Constant(p, 0f);
            else Init.Normal(p, 0.02f, rng);
        }
    }
}
