using System.Runtime.InteropServices;
using SharpGan.Tensors;

namespace SharpGan.Optim;

/// <summary>
/// Updates parameters from their accumulated gradients. State buffers (velocities, moments) are exposed by
/// name so checkpoints can save and restore them exactly. Updates and gradient zeroing run on all
/// <see cref="Engine.Threads"/>, each parameter cut into fixed chunks: every element's update depends on that element
/// alone, so the result is the same bit for bit at any thread count.
/// </summary>
public abstract unsafe class Optimizer
{
    // 16 Ki floats (64 KiB) a work item: a multiple of every vector width, so chunk edges never split a vector and
    // only a parameter's own last elements take the scalar path, as in one pass over the whole parameter.
    private const int ChunkLength = 16 * 1024;
    private const long ParallelFrom = 4 * ChunkLength;

    private Schedule _learningRate;
    private readonly (int Index, int Start, int Count)[] _chunks;
    private readonly long _totalLength;
    private float _stepRate;

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
        var chunks = new List<(int, int, int)>();
        for (int i = 0; i < Parameters.Count; i++)
        {
            int length = Parameters[i].Value.Length;
            _totalLength += length;
            for (int start = 0; start < length; start += ChunkLength) chunks.Add((i, start, Math.Min(ChunkLength, length - start)));
        }
        _chunks = chunks.ToArray();
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
        _stepRate = learningRate;
        // A gradient still marked zero is cleared here, once, not by the chunks that read it side by side.
        for (int i = 0; i < Parameters.Count; i++) _ = Parameters[i].Value.Grad;
        ForEachChunk(&UpdateChunk);
        StepCount++;
    }

    /// <summary>Reads this update's other scheduled hyperparameters (before any parameter is touched).</summary>
    protected virtual void BeginStep() { }

    /// <summary>
    /// Updates elements [start, start + parameter.Length) of parameter <paramref name="index"/> in place from their
    /// gradient; <paramref name="parameter"/> and <paramref name="gradient"/> are those elements, and the optimiser's
    /// state for them starts at <paramref name="start"/>. Chunks of one parameter may run at once on different threads.
    /// </summary>
    protected abstract void Update(int index, int start, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate);

    /// <summary>Zeroes every parameter's gradient (marks it: see <see cref="Tensor.ZeroGrad"/>).</summary>
    public void ZeroGrad()
    {
        for (int i = 0; i < Parameters.Count; i++) Parameters[i].Value.ZeroGrad(); // indexed: no enumerator to allocate
    }

    private void ForEachChunk(delegate*<Optimizer, int, void> body)
    {
        if (Engine.Threads == 1 || _totalLength < ParallelFrom)
        {
            for (int i = 0; i < _chunks.Length; i++) body(this, i);
            return;
        }
        // The pool's body is a static function of (item, state); the state carries this optimiser through a handle
        // that lives only for the call, and the body to run.
        var handle = GCHandle.Alloc(this);
        try
        {
            var call = new ChunkCall { Optimizer = GCHandle.ToIntPtr(handle), Body = body };
            WorkerPool.For(_chunks.Length, &RunChunk, (nint)(&call));
        }
        finally { handle.Free(); }
    }

    private struct ChunkCall
    {
        public nint Optimizer;
        public delegate*<Optimizer, int, void> Body;
    }

    private static void RunChunk(int i, nint state)
    {
        var call = (ChunkCall*)state;
        call->Body((Optimizer)GCHandle.FromIntPtr(call->Optimizer).Target!, i);
    }

    private static void UpdateChunk(Optimizer optimizer, int i)
    {
        var (index, start, count) = optimizer._chunks[i];
        var p = optimizer.Parameters[index].Value;
        if (p.Grad is { } g) optimizer.Update(index, start, p.Data.AsSpan(start, count), g.AsSpan(start, count), optimizer._stepRate);
    }


    /// <summary>Named state buffers ("velocity.0.weight", …), for checkpoints. Restoring writes into them.</summary>
    public abstract IEnumerable<(string Name, float[] Buffer)> StateBuffers();
}
