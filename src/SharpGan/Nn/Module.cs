using SharpGan.Tensors;

namespace SharpGan.Nn;

/// <summary>
/// A layer or network: named parameters, named children, and a train/eval mode. Parameter names are
/// dotted paths ("0.weight", "hidden.bias") and are what checkpoints store.
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor Value)> _parameters = new();
    private readonly List<(string Name, Module Value)> _children = new();
    private readonly List<(string Name, Tensor Value)> _buffers = new();
    // Every parameter of the tree, for Freeze, which runs each G step: walking the tree built an iterator per module and a
    // name string per parameter (2–3 KB an iteration). Valid while no module anywhere has registered anything since.
    private Tensor[]? _allParameters;
    private int _allParametersStamp;
    private static int _registrations;

    /// <summary>True in training mode (dropout active), false in eval mode.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Registers a parameter: it requires a gradient and carries its name.</summary>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        value.RequiresGrad = true;
        value.Name = name;
        _parameters.Add((name, value));
        Interlocked.Increment(ref _registrations);
        return value;
    }

    /// <summary>Registers state that is saved with the weights but not trained (BatchNorm's running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        value.Name = name;
        _buffers.Add((name, value));
        return value;
    }

    /// <summary>Every buffer with its dotted path, depth first.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedBuffers(string prefix = "")
    {
        foreach (var (name, value) in _buffers) yield return (prefix + name, value);
        foreach (var (name, child) in _children)
            foreach (var b in child.NamedBuffers(prefix + name + ".")) yield return b;
    }

    /// <summary>Parameters then buffers: everything a checkpoint must hold to rebuild the module exactly.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedState() => NamedParameters().Concat(NamedBuffers());

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _children.Add((name, module));
        Interlocked.Increment(ref _registrations);
        return module;
    }

    /// <summary>The registered child modules with their names, in registration order.</summary>
    public IReadOnlyList<(string Name, Module Module)> Children => _children;

    /// <summary>This module and every module below it, depth first, each parent before its children (registration order).</summary>
    public IEnumerable<Module> SelfAndDescendants()
    {
        yield return this;
        foreach (var (_, child) in _children)
            foreach (var m in child.SelfAndDescendants()) yield return m;
    }

    /// <summary>Every parameter with its dotted path, depth first, in registration order.</summary>
    public IEnumerable<(string Name, Tensor Value)> NamedParameters(string prefix = "")
    {
        foreach (var (name, value) in _parameters) yield return (prefix + name, value);
        foreach (var (name, child) in _children)
            foreach (var p in child.NamedParameters(prefix + name + ".")) yield return p;
    }

    /// <summary>Every parameter tensor.</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Value).ToList();

    /// <summary>Total number of scalar parameters.</summary>
    public long ParameterCount() => NamedParameters().Sum(p => (long)p.Value.Length);

    /// <summary>This layer's spectral normalisation, once <see cref="UseSpectralNorm"/> has switched it on.</summary>
    public SpectralNorm? Spectral { get; private set; }

    /// <summary>Whether this layer's forward pass uses <see cref="EffectiveWeight"/> (layers with a "weight" that support it say so).</summary>
    protected virtual bool SupportsSpectralNorm => false;

    /// <summary>
    /// Uses this layer's "weight" divided by its largest singular value from now on (<see cref="SpectralNorm"/>),
    /// registering the power iteration's vectors as buffers "weight_u" and "weight_v" drawn from <paramref name="rng"/>.
    /// </summary>
    public void UseSpectralNorm(Rng rng)
    {
        if (!SupportsSpectralNorm) throw new InvalidOperationException($"{GetType().Name} does not support spectral normalisation");
        if (Spectral is not null) throw new InvalidOperationException($"spectral normalisation is already on for this {GetType().Name}");
        var weight = _parameters.Single(p => p.Name == "weight").Value;
        int rows = weight.Shape[0];
        Spectral = new SpectralNorm(RegisterBuffer("weight_u", new Tensor(rows)), RegisterBuffer("weight_v", new Tensor(weight.Length / rows)), rng);
    }

    /// <summary>The weight a forward pass uses: <paramref name="weight"/> itself, or spectrally normalised when switched on.</summary>
    protected Tensor EffectiveWeight(Tensor weight, bool training) => Spectral is null ? weight : Spectral.Apply(weight, training);

    /// <summary>Sets training mode here and in every child.</summary>
    public void Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.Train(training);
    }

    /// <summary>Eval mode: dropout passes inputs through.</summary>
    public void Eval() => Train(false);

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in NamedParameters()) p.ZeroGrad();
    }

    /// <summary>
    /// Stops gradients to this module's parameters until the scope ends, while still letting them flow
    /// through it to its input: the generator step trains G through a frozen D.
    /// </summary>
    public FrozenScope Freeze()
    {
        int stamp = Volatile.Read(ref _registrations);
        if (_allParameters is null || _allParametersStamp != stamp)
            (_allParameters, _allParametersStamp) = ([.. NamedParameters().Select(p => p.Value)], stamp);
        var all = _allParameters;
        if (all.Length > 64) // a bit each does not fit: list them (allocates)
        {
            var frozen = all.Where(p => p.RequiresGrad).ToArray();
            foreach (var p in frozen) p.RequiresGrad = false;
            return new FrozenScope(frozen, 0, frozen);
        }
        ulong mask = 0;
        for (int i = 0; i < all.Length; i++)
        {
            if (!all[i].RequiresGrad) continue;
            all[i].RequiresGrad = false;
            mask |= 1UL << i;
        }
        return new FrozenScope(all, mask, null);
    }

    /// <summary>Restores <see cref="Tensor.RequiresGrad"/> on the parameters a <see cref="Freeze"/> turned off.</summary>
    public readonly struct FrozenScope : IDisposable
    {
        private readonly Tensor[]? _parameters, _many;
        private readonly ulong _frozen; // bit i: _parameters[i] was turned off

        internal FrozenScope(Tensor[] parameters, ulong frozen, Tensor[]? many) => (_parameters, _frozen, _many) = (parameters, frozen, many);

        /// <inheritdoc />
        public void Dispose()
        {
            if (_many is not null)
            {
                foreach (var p in _many) p.RequiresGrad = true;
                return;
            }
            for (ulong bits = _frozen; bits != 0; bits &= bits - 1) _parameters![System.Numerics.BitOperations.TrailingZeroCount(bits)].RequiresGrad = true;
        }
    }
}
