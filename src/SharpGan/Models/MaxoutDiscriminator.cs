using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Models;

/// <summary>
/// The paper's MNIST discriminator (PAPER §4): dropout(keep 0.8) → maxout 240×5 → dropout(0.5) → maxout 240×5
/// → dropout(0.5) → Linear 1. Returns the logit of D(x); losses apply the sigmoid in a stable form.
/// Parameter names: "net.1.weight" (first maxout) … "net.5.bias" (output). Conditional (<c>classes</c> &gt; 0): the input
/// is (N, inputDim + K), the one-hot label after the image; input dropout skips the label, the first maxout reads both.
/// </summary>
public sealed class MaxoutDiscriminator : Module
{
    private readonly Sequential _net;

    /// <summary>Builds the network with zero weights; call <see cref="InitializeUniform"/>.</summary>
    public MaxoutDiscriminator(Rng dropoutRng, int inputDim = 784, int units = 240, int pieces = 5, float inputKeep = 0.8f, float hiddenKeep = 0.5f, int classes = 0)
    {
        _net = RegisterModule("net", new Sequential(
            new Dropout(inputKeep, dropoutRng, passThroughColumns: classes), // a conditional D's one-hot label is never dropped
            new Maxout(inputDim + classes, units, pieces),                  // the label enters the first layer
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
