using SharpGan.Distributed;
using SharpGan.Nn;
using SharpGan.Tensors;

namespace SharpGan.Gan;

/// <summary>
/// Algorithm 1 shared by the processes of a <see cref="ProcessGroup"/> (synchronous data parallelism): every process
/// holds the same networks, draws the same global minibatch of data and noise, computes its own block of the rows
/// (rank r: rows [⌊m·r/N⌋, ⌊m·(r+1)/N⌋)), and before each optimiser step the gradients are summed over the processes,
/// each weighted by its share of the batch, so every process applies the gradient of the global batch's mean loss and
/// the weights stay identical. Per-row random draws (dropout masks, WGAN-GP's mixing weights) are made for the whole
/// batch and sliced (<see cref="RowShard"/>), so the result does not depend on N beyond the order of float sums.
/// BatchNorm normalises with each process's own rows (PyTorch DDP's default); its running statistics are averaged
/// over the processes after every iteration so that every process, and so the checkpoint, holds the same ones.
/// </summary>
public sealed class DataParallel
{
    private float[] _flat = [];
    private long _communicationTicks;
    private Tensor? _localReal, _localNoise;

    /// <summary>The processes.</summary>
    public ProcessGroup Group { get; }

    /// <summary>The minibatch size m of the whole group (the config's).</summary>
    public int GlobalBatch { get; }

    /// <summary>This process's first row of the global batch.</summary>
    public int Start { get; }

    /// <summary>This process's number of rows.</summary>
    public int Count { get; }

    /// <summary>Wall time spent in the group's collectives (allreduce) so far: the communication share of training.</summary>
    public TimeSpan CommunicationTime => System.Diagnostics.Stopwatch.GetElapsedTime(0, _communicationTicks);

    /// <summary>A forward pass over this process's rows of one global batch.</summary>
    public RowShard Rows { get; }

    /// <summary>A forward pass over this process's real rows then its fake rows, of a global batch of m real then m fake.</summary>
    public RowShard RealThenFake { get; }

    /// <summary>Splits batches of <paramref name="globalBatch"/> rows over <paramref name="group"/>; every process needs at least one row.</summary>
    public DataParallel(ProcessGroup group, int globalBatch)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (globalBatch < group.Size)
            throw new ArgumentException($"a minibatch of {globalBatch} cannot be split over {group.Size} processes: each needs at least one row", nameof(globalBatch));
        (Group, GlobalBatch) = (group, globalBatch);
        Start = (int)((long)globalBatch * group.Rank / group.Size);
        Count = (int)((long)globalBatch * (group.Rank + 1) / group.Size) - Start;
        Rows = new RowShard(globalBatch, (Start, Count));
        RealThenFake = new RowShard(2 * globalBatch, (Start, Count), (globalBatch + Start, Count));
    }

    /// <summary>This process's rows of a global real batch (a buffer reused between calls).</summary>
    public Tensor LocalReal(Tensor global) => Slice(global, ref _localReal);

    /// <summary>This process's rows of a global noise batch (a buffer reused between calls).</summary>
    public Tensor LocalNoise(Tensor global) => Slice(global, ref _localNoise);

    private Tensor Slice(Tensor global, ref Tensor? buffer)
    {
        if (global.Shape[0] != GlobalBatch) throw new ArgumentException($"a global batch has {GlobalBatch} rows, got [{Shapes.Format(global.Shape)}]", nameof(global));
        int width = global.RowLength;
        if (buffer is null || buffer.RowLength != width) buffer = new Tensor(Count, width);
        global.Data.AsSpan(Start * width, Count * width).CopyTo(buffer.Data);
        return buffer;
    }

    /// <summary>
    /// Replaces the gradient of every parameter of <paramref name="module"/> with the sum over the processes of
    /// (rows/m)·gradient: the gradient of the global batch's mean loss. One allreduce of all of them together.
    /// </summary>
    public void SumGradients(Module module)
    {
        var parameters = module.Parameters();
        int total = parameters.Sum(p => p.Length);
        if (_flat.Length < total) _flat = new float[total];
        float share = (float)Count / GlobalBatch;
        int at = 0;
        foreach (var p in parameters)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(p.EnsureGrad().AsSpan(0, p.Length), share, _flat.AsSpan(at, p.Length));
            at += p.Length;
        }
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        Group.SumInPlace(_flat.AsSpan(0, total));
        _communicationTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
        at = 0;
        foreach (var p in parameters)
        {
            _flat.AsSpan(at, p.Length).CopyTo(p.Grad);
            at += p.Length;
        }
    }

    private readonly Dictionary<Module, Tensor[]> _runningStatistics = new(ReferenceEqualityComparer.Instance);

    /// <summary>Averages BatchNorm's running statistics of <paramref name="module"/> over the processes (nothing to do without BatchNorm).</summary>
    public void AverageRunningStatistics(Module module)
    {
        // Found once per module: this runs after every iteration.
        if (!_runningStatistics.TryGetValue(module, out var buffers))
            _runningStatistics[module] = buffers = [.. module.NamedBuffers().Where(b => b.Name.EndsWith("running_mean") || b.Name.EndsWith("running_var")).Select(b => b.Value)];
        if (buffers.Length == 0) return;
        int total = 0;
        foreach (var b in buffers) total += b.Length;
        if (_flat.Length < total) _flat = new float[total];
        int at = 0;
        foreach (var b in buffers) { b.Data.CopyTo(_flat, at); at += b.Length; }
        Group.SumInPlace(_flat.AsSpan(0, total));
        at = 0;
        foreach (var b in buffers)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(_flat.AsSpan(at, b.Length), 1f / Group.Size, b.Data);
            at += b.Length;
        }
    }

    /// <summary>The global batch's values of a step's statistics: each process's weighted by its share of the rows.</summary>
    public StepStats Average(StepStats local)
    {
        double share = (double)Count / GlobalBatch;
        Span<double> v = [local.DiscriminatorLoss * share, local.GeneratorLoss * share, local.MeanDReal * share, local.MeanDFake * share];
        Group.SumInPlace(v);
        return new StepStats((float)v[0], (float)v[1], (float)v[2], (float)v[3]);
    }
}
