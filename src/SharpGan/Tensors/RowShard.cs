namespace SharpGan.Tensors;

/// <summary>
/// Which rows of the whole minibatch this process computes while data-parallel processes share one (each takes a
/// block of it): a forward pass's input rows are <see cref="Blocks"/> of the global batch's <see cref="GlobalRows"/>,
/// in order. Per-row random draws (dropout masks) are made for every row of the global batch, in row order, and this
/// process keeps its own rows' part, so an example gets the same mask whatever the number of processes, and the random
/// stream advances the same on every process. Set for the extent of a forward pass with <see cref="Enter"/>.
/// </summary>
public sealed class RowShard
{
    [ThreadStatic] private static RowShard? _current;

    /// <summary>Rows of the global batch this forward pass stands for.</summary>
    public int GlobalRows { get; }

    /// <summary>The global rows this process holds, as (start, count) blocks in increasing order.</summary>
    public IReadOnlyList<(int Start, int Count)> Blocks { get; }

    /// <summary>Rows this process holds: the blocks' counts summed.</summary>
    public int LocalRows { get; }

    /// <summary>Describes the shard; blocks must be in increasing order, not overlapping, inside [0, <paramref name="globalRows"/>).</summary>
    public RowShard(int globalRows, params (int Start, int Count)[] blocks)
    {
        int end = 0;
        foreach (var (start, count) in blocks)
        {
            if (start < end || count <= 0 || start + count > globalRows)
                throw new ArgumentException($"row blocks must be increasing, non-empty and inside [0, {globalRows}); got ({start}, {count}) after row {end}", nameof(blocks));
            end = start + count;
        }
        (GlobalRows, Blocks, LocalRows) = (globalRows, blocks, blocks.Sum(b => b.Count));
    }

    /// <summary>The shard of the forward pass running on this thread, or null (the whole batch is here).</summary>
    public static RowShard? Current => _current;

    /// <summary>Makes <paramref name="shard"/> current until the returned scope ends (null: leaves things as they are).</summary>
    public static Scope Enter(RowShard? shard)
    {
        var previous = _current;
        if (shard is not null) _current = shard;
        return new Scope(previous);
    }

    /// <summary>Restores the shard that was current before <see cref="Enter"/>.</summary>
    public readonly struct Scope(RowShard? previous) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => _current = previous;
    }

    /// <summary>
    /// <see cref="Rng.FillBernoulliAt"/> over the global batch's rows (<paramref name="rowLength"/> values each) under one
    /// seed drawn from <paramref name="rng"/>, writing only this process's rows into <paramref name="local"/>: every
    /// process draws the same seed, so the shards' masks side by side are the single process's mask.
    /// </summary>
    public void FillBernoulli(Rng rng, Span<float> local, int rowLength, float p, float value)
    {
        if (local.Length != LocalRows * rowLength)
            throw new ArgumentException($"a shard of {LocalRows} rows of {rowLength} needs {LocalRows * rowLength} values, got {local.Length}", nameof(local));
        ulong seed = rng.NextUInt64();
        int written = 0;
        foreach (var (start, count) in Blocks)
        {
            Rng.FillBernoulliAt(seed, (long)start * rowLength, local.Slice(written, count * rowLength), p, value);
            written += count * rowLength;
        }
    }
}
