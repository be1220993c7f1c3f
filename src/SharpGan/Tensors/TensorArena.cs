namespace SharpGan.Tensors;

/// <summary>
/// Owns the pooled buffers of the tensors (and their gradients) created while it is current, and returns
/// them all to <see cref="BufferPool{T}"/> when it ends. This is how a training step stops allocating after
/// warm-up: each step borrows the same buffers the last one gave back. One arena is current per thread.
/// </summary>
internal sealed class TensorArena
{
    [ThreadStatic] private static TensorArena? _current;
    private readonly List<Tensor> _tensors = new();
    private readonly List<Tensor> _grads = new();
    private readonly List<float[]> _floatScratch = new();
    private readonly List<int[]> _intScratch = new();
    private TensorArena? _previous;
    private bool _active;

    /// <summary>The arena new tensors on this thread are borrowed into, or null (heap allocation).</summary>
    public static TensorArena? Current => _current;

    /// <summary>Makes this arena current (arenas nest).</summary>
    public void Enter()
    {
        if (_active) throw new InvalidOperationException("this arena is already active");
        _active = true;
        _previous = _current;
        _current = this;
    }

    /// <summary>Releases every buffer borrowed since <see cref="Enter"/> and restores the previous arena.</summary>
    public void Exit()
    {
        if (!_active) return;
        foreach (var t in _grads) t.ReleaseGradToPool();
        foreach (var t in _tensors) t.ReleaseToPool();
        foreach (var b in _floatScratch) BufferPool<float>.Shared.Return(b);
        foreach (var b in _intScratch) BufferPool<int>.Shared.Return(b);
        _floatScratch.Clear();
        _intScratch.Clear();
        _grads.Clear();
        _tensors.Clear();
        _current = _previous;
        _previous = null;
        _active = false;
    }

    internal void Own(Tensor t) => _tensors.Add(t);

    /// <summary>A scratch buffer (undefined contents) that lives until the current arena ends, or a heap one without an arena.</summary>
    internal static float[] RentFloats(int length)
    {
        if (_current is null) return new float[length];
        var b = BufferPool<float>.Shared.Rent(length);
        _current._floatScratch.Add(b);
        return b;
    }

    /// <summary>Integer scratch (undefined contents) with the same lifetime rule as <see cref="RentFloats"/>.</summary>
    internal static int[] RentInts(int length)
    {
        if (_current is null) return new int[length];
        var b = BufferPool<int>.Shared.Rent(length);
        _current._intScratch.Add(b);
        return b;
    }
    internal void OwnGrad(Tensor t) => _grads.Add(t);
}
