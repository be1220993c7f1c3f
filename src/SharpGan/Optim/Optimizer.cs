using SharpGan.Tensors;

namespace SharpGan.Optim;

/// <summary>
/// Updates parameters from their accumulated gradients. State buffers (velocities, moments) are exposed by
/// name so checkpoints can save and restore them exactly.
/// </summary>
public abstract class Optimizer
{
    private float _learningRate;

    /// <summary>The parameters this optimiser updates, with their names.</summary>
    protected IReadOnlyList<(string Name, Tensor Value)> Parameters { get; }

    /// <summary>Updates applied so far.</summary>
    public long StepCount { get; set; }

    /// <summary>Current learning rate (schedules change it between steps).</summary>
    public float LearningRate
    {
        get => _learningRate;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "learning rate must be a finite non-negative number");
            _learningRate = value;
        }
    }

    /// <summary>Stores the parameters; every one must require a gradient.</summary>
    protected Optimizer(IEnumerable<(string Name, Tensor Value)> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("an optimiser needs at least one parameter", nameof(parameters));
        LearningRate = learningRate;
    }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Value;
            if (p.Grad is { } g) Update(i, p.Data, g);
        }
        StepCount++;
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient);

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters) p.ZeroGrad();
    }

    /// <summary>Named state buffers ("velocity.0.weight", …), for checkpoints. Restoring writes into them.</summary>
    public abstract IEnumerable<(string Name, float[] Buffer)> StateBuffers();
}
