namespace SharpGan.Lab;

/// <summary>
/// The last few hundred measurements a live page plots: one point per iteration (a frame drawn twice at the same
/// iteration adds nothing), and when full the older half is dropped at once, so an append stays O(1) amortised and
/// a long session's memory stays flat.
/// </summary>
internal sealed class BoundedHistory<T>(int capacity)
{
    private readonly List<(long Iteration, T Point)> _points = new(capacity);

    /// <summary>Records <paramref name="point"/> for <paramref name="iteration"/> unless that iteration is the last one recorded.</summary>
    public void Record(long iteration, T point)
    {
        if (_points.Count > 0 && _points[^1].Iteration == iteration) return;
        if (_points.Count == capacity) _points.RemoveRange(0, capacity / 2);
        _points.Add((iteration, point));
    }

    public void Clear() => _points.Clear();

    /// <summary>The points, oldest first, copied (the page's frame owns them).</summary>
    public T[] ToArray() => [.. _points.Select(p => p.Point)];
}
