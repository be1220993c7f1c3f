using SharpGan.Nn;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Gan;

/// <summary>
/// An exponential moving average of G's weights, kept in a second generator of the same architecture:
/// after every G update, avg ← β·avg + (1 − β)·w for each parameter. Buffers (BatchNorm running statistics) are
/// copied, not averaged; they describe the live weights, not the averaged ones, so before the averaged G is sampled
/// or saved they are measured again for its own weights (<see cref="Samples.RemeasureAveragedStatistics"/>).
/// Why: SGD iterates of a GAN orbit the equilibrium rather than settle on it; their average sits nearer to it,
/// and its samples are sharper than any single iterate's (Yazıcı et al. 2019). Samples, grids and evaluations
/// use the averaged generator when a run has one.
/// </summary>
public sealed class GeneratorAverage
{
    private readonly (float[] Live, float[] Average)[] _parameters, _buffers;

    /// <summary>β, the weight the average keeps per update (e.g. 0.999: a horizon of about 1 000 updates).</summary>
    public double Decay { get; }

    /// <summary>Pairs the live generator with the one holding the average; both must have the same architecture.</summary>
    public GeneratorAverage(Module live, Module averaged, double decay)
    {
        if (!(decay is > 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(decay), decay, "the average's decay must be in (0, 1)");
        Decay = decay;
        _parameters = Pair(live.NamedParameters(), averaged.NamedParameters());
        _buffers = Pair(live.NamedBuffers(), averaged.NamedBuffers());
    }

    private static (float[], float[])[] Pair(IEnumerable<(string Name, Tensors.Tensor Value)> live, IEnumerable<(string Name, Tensors.Tensor Value)> averaged)
    {
        var l = live.ToList();
        var a = averaged.ToList();
        if (l.Count != a.Count || l.Zip(a).Any(p => p.First.Name != p.Second.Name || p.First.Value.Length != p.Second.Value.Length))
            throw new ArgumentException("the averaged generator must have the live generator's architecture");
        return l.Zip(a, (x, y) => (x.Value.Data, y.Value.Data)).ToArray();
    }

    /// <summary>Starts the average at the live weights (a fresh run, or a run switching averaging on at resume).</summary>
    public void Reset()
    {
        foreach (var (live, average) in _parameters) live.CopyTo(average, 0);
        CopyBuffers();
    }

    /// <summary>
    /// Starts the average at zero, as Salimans et al.'s semi-supervised code does (no bias correction: after t updates the
    /// average holds (1 − β^t) of the weights' mean, which a classifier's argmax barely notices once every weight, scale
    /// and bias alike, shrinks by the same factor — but not if some start elsewhere, as a freshly built layer's g = 1 would).
    /// </summary>
    public void Clear()
    {
        foreach (var (_, average) in _parameters) Array.Clear(average);
        CopyBuffers();
    }

    /// <summary>One step of the average, after a G update: avg ← avg + (1 − β)(w − avg).</summary>
    public void Update()
    {
        float step = (float)(1 - Decay);
        foreach (var (live, average) in _parameters) RowKernels.Lerp(average, live, step);
        CopyBuffers();
    }

    private void CopyBuffers()
    {
        foreach (var (live, average) in _buffers) live.CopyTo(average, 0);
    }
}
