using SharpGan.Tensors;

namespace SharpGan.Data;

/// <summary>
/// Shuffled minibatches without replacement, one permutation per epoch drawn from a seeded <see cref="Rng"/>.
/// A partial last batch is dropped (Algorithm 1 uses fixed m). The state — the Rng before this epoch's
/// shuffle and the position in it — is enough to resume mid-epoch exactly.
/// </summary>
public sealed class ShuffledMinibatches
{
    private readonly ImageDataset _data;
    private readonly Rng _rng;
    private readonly int[] _order;
    private ulong[] _rngAtEpochStart;

    /// <summary>Batch size m.</summary>
    public int BatchSize { get; }

    /// <summary>Full batches per epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>Completed epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>Batches already taken in the current epoch.</summary>
    public int BatchInEpoch { get; private set; }

    /// <summary>Starts at epoch 0, batch 0.</summary>
    public ShuffledMinibatches(ImageDataset data, int batchSize, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (batchSize > data.Count) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch size exceeds the {data.Count} images available");
        (_data, BatchSize, _rng) = (data, batchSize, rng);
        BatchesPerEpoch = data.Count / batchSize;
        _order = new int[data.Count];
        _rngAtEpochStart = rng.GetState();
        Shuffle();
    }

    private void Shuffle()
    {
        _rngAtEpochStart = _rng.GetState();
        for (int i = 0; i < _order.Length; i++) _order[i] = i;
        _rng.Shuffle(_order);
    }

    /// <summary>
    /// Copies the next batch into <paramref name="destination"/> (batch, dimension), and its labels into
    /// <paramref name="labels"/> when given, starting a new epoch when one ends.
    /// </summary>
    public void Next(Tensor destination, Span<byte> labels = default)
    {
        if (destination.Length != BatchSize * _data.Dimension)
            throw new ArgumentException($"destination must hold {BatchSize}×{_data.Dimension} values, has shape [{Shapes.Format(destination.Shape)}]", nameof(destination));
        if (BatchInEpoch == BatchesPerEpoch)
        {
            Epoch++;
            BatchInEpoch = 0;
            Shuffle();
        }
        int d = _data.Dimension;
        for (int r = 0; r < BatchSize; r++)
        {
            int index = _order[BatchInEpoch * BatchSize + r];
            _data.Pixels.AsSpan(index * d, d).CopyTo(destination.Data.AsSpan(r * d, d));
            if (!labels.IsEmpty) labels[r] = _data.Labels[index];
        }
        BatchInEpoch++;
    }

    /// <summary>State for a checkpoint.</summary>
    public MinibatchPosition GetState() => new(Epoch, BatchInEpoch, _rngAtEpochStart);

    /// <summary>Restores a state from <see cref="GetState"/>: re-draws that epoch's permutation and skips to the position.</summary>
    public void SetState(MinibatchPosition state)
    {
        if (state.BatchInEpoch < 0 || state.BatchInEpoch > BatchesPerEpoch)
            throw new ArgumentException($"batch {state.BatchInEpoch} is outside an epoch of {BatchesPerEpoch} batches", nameof(state));
        _rng.SetState(state.RngAtEpochStart);
        Shuffle();
        Epoch = state.Epoch;
        BatchInEpoch = state.BatchInEpoch;
    }
}

/// <summary>Resumable position of a <see cref="ShuffledMinibatches"/>.</summary>
public sealed record MinibatchPosition(int Epoch, int BatchInEpoch, ulong[] RngAtEpochStart);
