using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Models;

/// <summary>
/// The paper's MNIST discriminator (PAPER §4): dropout(keep 0.8) → maxout 240×5 → dropout(0.5) → maxout 240×5
/// → dropout(0.5) → Linear 1. Returns the logit of D(x); losses apply the sigmoid in a stable form.
/// Parameter names: "net.1.weight" (first maxout) … "net.5.bias" (output).
/// </summary>
public sealed class MaxoutDiscriminator : Module
{
    private readonly Sequential _net;

    /// <summary>Builds the network with zero weights; call <see cref="InitializeUniform"/>.</summary>
    public MaxoutDiscriminator(Rng dropoutRng, int inputDim = 784, int units = 240, int pieces = 5, float inputKeep = 0.8f, float hiddenKeep = 0.5f)
    {
        _net = RegisterModule("net", new Sequential(
            new Dropout(inputKeep, dropoutRng),
            new Maxout(inputDim, units, pieces),
            new Dropout(hiddenKeep, dropoutRng),
            new Maxout(units, units, pieces),
            new Dropout(hiddenKeep, dropoutRng),
            new Linear(units, 1)));
    }

    /// <summary>Every weight and bias U(−range, range) (the paper: 0.005).</summary>
    public void InitializeUniform(float range, Rng rng)
    {
        foreach (var p in Parameters()) Init.Uniform(p, range, rng);
    }

    /// <summary>The layers, in order (what Forward applies).</summary>
    public Sequential Network => _net;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input) => _net.Forward(input);
}
