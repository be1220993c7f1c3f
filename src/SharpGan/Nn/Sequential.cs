using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>Applies its children in order. Children are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly Module[] _layers;

    /// <summary>Builds the chain.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0) throw new ArgumentException("Sequential needs at least one layer", nameof(layers));
        _layers = layers;
        for (int i = 0; i < layers.Length; i++) RegisterModule(i.ToString(System.Globalization.CultureInfo.InvariantCulture), layers[i]);
    }

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }
}
