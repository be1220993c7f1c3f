using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Models;

/// <summary>
/// DCGAN (PAPER §7) for small square images. G: ConvT(nz→4f, b,1,0) to a b×b map, then ConvT(4,2,1) stages that
/// double the side and halve the channels, BatchNorm + ReLU between, the last stage to the image's channels + Tanh.
/// D mirrors it: Conv(4,2,1) stages with LeakyReLU(0.2) (BatchNorm on all but the first), then Conv(→1, b,1,0)
/// to one logit. Convs have no bias (BatchNorm's β takes its place), as in the reference implementation.
/// Both networks take and give flat (N, c·side·side) tensors, so they plug into the same trainer as the MLPs.
/// </summary>
/// <param name="Side">Image side: 28 (b = 7, two stages: PAPER §7's MNIST layout) or 32 (b = 4, three stages: CIFAR-10).</param>
public sealed record DcganLayout(int Side)
{
    /// <summary>Stride-2 stages: 2 for 28 (7 → 14 → 28), 3 for 32 (4 → 8 → 16 → 32).</summary>
    public int Stages => Side == 28 ? 2 : 3;

    /// <summary>Side of the smallest feature map.</summary>
    public int BaseSide => Side >> Stages;

    /// <summary>The generator for images with <paramref name="channels"/> channels.</summary>
    public Sequential Generator(int noiseDim, int features, int channels)
    {
        int width = 4 * features; // 28: 4f → 2f → c (PAPER §7); 32: 4f → 2f → f → c (the 64×64 reference less one stage)
        var layers = new List<Module>
        {
            new Reshape(noiseDim, 1, 1),
            new ConvTranspose2d(noiseDim, width, BaseSide, 1, 0, bias: false), new BatchNorm(width), ActivationLayer.ReLU(),
        };
        for (int stage = 1; stage < Stages; stage++, width /= 2)
            layers.AddRange([new ConvTranspose2d(width, width / 2, 4, 2, 1, bias: false), new BatchNorm(width / 2), ActivationLayer.ReLU()]);
        layers.AddRange([new ConvTranspose2d(width, channels, 4, 2, 1, bias: false), ActivationLayer.Tanh(), new Reshape(channels * Side * Side)]);
        return new Sequential([.. layers]);
    }

    /// <summary>
    /// The discriminator for images with <paramref name="channels"/> channels. Conditional (<paramref name="classes"/> &gt; 0):
    /// the flat input carries a one-hot label after the image, which enters as K constant planes beside the image
    /// channels (<see cref="LabelPlanes"/>): the first convolution then mixes class and pixels at every position, which a
    /// label added only at the last layer could not.
    /// </summary>
    /// Without <paramref name="batchNorm"/> (for gradient penalties) every convolution has a bias instead.
    public Sequential Discriminator(int features, int channels, int classes = 0, bool batchNorm = true)
    {
        var layers = new List<Module>
        {
            classes > 0 ? new LabelPlanes(channels, Side, classes) : new Reshape(channels, Side, Side),
            new Conv2d(channels + classes, features, 4, 2, 1, bias: !batchNorm), ActivationLayer.LeakyReLU(0.2f),
        };
        int width = features;
        for (int stage = 1; stage < Stages; stage++, width *= 2)
            layers.AddRange(batchNorm
                ? [new Conv2d(width, width * 2, 4, 2, 1, bias: false), new BatchNorm(width * 2), ActivationLayer.LeakyReLU(0.2f)]
                : [new Conv2d(width, width * 2, 4, 2, 1), ActivationLayer.LeakyReLU(0.2f)]);
        layers.AddRange([new Conv2d(width, 1, BaseSide, 1, 0, bias: !batchNorm), new Reshape(1)]);
        return new Sequential([.. layers]);
    }

    /// <summary>DCGAN's initialisation: conv weights N(0, 0.02²), BatchNorm γ ~ N(1, 0.02²), β and conv biases 0.</summary>
    public static void Initialize(Module network, Rng rng)
    {
        foreach (var (name, p) in network.NamedParameters())
        {
            bool vector = p.Shape.Length == 1; // BatchNorm's γ ("weight") and β, or a convolution's bias
            if (vector && name.EndsWith("weight")) Init.Normal(p, 0.02f, rng, mean: 1f);
            else if (vector) Init.Constant(p, 0f);
            else Init.Normal(p, 0.02f, rng);
        }
    }
}
