namespace SharpGan.Tensors;

/// <summary>
/// Exact-length array pool. Unlike <see cref="System.Buffers.ArrayPool{T}"/>, a rented array is exactly
/// the requested length, so a tensor's buffer is its data with no slack to track. After the first
/// training step every size a step needs is in the pool and rents stop allocating.
/// </summary>
internal sealed class BufferPool<T>
{
    private readonly Dictionary<int, Stack<T[]>> _free = new();
    private readonly Lock _gate = new();

    /// <summary>The process-wide pool.</summary>
    public static BufferPool<T> Shared { get; } = new();

    /// <summary>Returns an array of exactly <paramref name="length"/> elements with undefined contents.</summary>
    public T[] Rent(int length)
    {
        lock (_gate)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0) return stack.Pop();
        }
        return new T[length];
    }

    /// <summary>Gives an array back for reuse. The caller must not touch it afterwards.</summary>
    public void Return(T[] array)
    {
        if (array.Length == 0) return;
        lock (_gate)
        {
            if (!_free.TryGetValue(array.Length, out var stack)) _free[array.Length] = stack = new Stack<T[]>();
            stack.Push(array);
        }
    }
}
