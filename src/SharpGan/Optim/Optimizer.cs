using SharpGan.Tensors;

namespace SharpGan.Optim;

/// <summary>
/// Updates parameters from their accumulated gradients. State buffers (velocities, moments) are exposed by
/// name so checkpoints can save and restore them exactly.
/// </summary>
public abstract class Optimizer
{
    private Schedule _learningRate;

    /// <summary>The parameters this optimiser updates, with their names.</summary>
    protected IReadOnlyList<(string Name, Tensor Value)> Parameters { get; }

    /// <summary>Updates applied so far.</summary>
    public long StepCount { get; set; }

    /// <summary>
    /// The learning rate as a function of <see cref="StepCount"/>: the one place a rate enters. Replacing it (an
    /// experiment's own phase) takes effect at the next update.
    /// </summary>
    public Schedule LearningRateSchedule
    {
        get => _learningRate;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            CheckLearningRate(value.At(StepCount));
            _learningRate = value;
        }
    }

    /// <summary>The learning rate the next update applies.</summary>
    public float LearningRate => (float)_learningRate.At(StepCount);

    /// <summary>The momentum the next update applies (SGD's μ; 0 for an optimiser without one).</summary>
    public virtual float Momentum => 0f;

    /// <summary>Stores the parameters; every one must require a gradient.</summary>
    protected Optimizer(IEnumerable<(string Name, Tensor Value)> parameters, Schedule learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        if (Parameters.Count == 0) throw new ArgumentException("an optimiser needs at least one parameter", nameof(parameters));
        _learningRate = learningRate ?? throw new ArgumentNullException(nameof(learningRate));
        CheckLearningRate(learningRate.At(0));
    }

    private static void CheckLearningRate(double rate)
    {
        if (!(rate >= 0) || double.IsInfinity(rate)) throw new ArgumentOutOfRangeException(nameof(LearningRate), rate, "learning rate must be a finite non-negative number");
    }

    /// <summary>Applies one update, at the scheduled rate, to every parameter that has a gradient.</summary>
    public void Step()
    {
        float learningRate = LearningRate;
        CheckLearningRate(learningRate);
        BeginStep();
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i].Value;
            if (p.Grad is { } g) Update(i, p.Data, g, learningRate);
        }
        StepCount++;
    }

    /// <summary>Reads this update's other scheduled hyperparameters (before any parameter is touched).</summary>
    protected virtual void BeginStep() { }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    protected abstract void Update(int index, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate);

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters) p.ZeroGrad();
    }

    /// <summary>Named state buffers ("velocity.0.weight", …), for checkpoints. Restoring writes into them.</summary>
    public abstract IEnumerable<(string Name, float[] Buffer)> StateBuffers();
}
