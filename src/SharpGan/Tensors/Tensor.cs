using System.Runtime.CompilerServices;

namespace SharpGan.Tensors;

/// <summary>
/// A dense, contiguous, row-major float32 tensor. Reshape is free (a view over the same buffer);
/// there are no general strides, so a transpose materialises. Tensors created while a
/// <see cref="TensorArena"/> is active (every autograd tape opens one) borrow their buffer from <see cref="BufferPool{T}"/> and give it back
/// when the tape ends; reading them afterwards throws rather than returning recycled data.
/// </summary>
public sealed class Tensor
{
    private float[] _data;
    private float[]? _grad;
    // RequiresGrad, IsPooled, IsView, released and "grad counts as zero" in one byte: a step makes a hundred tensors, and
    // five bools (with the name, now kept aside) made each 64 bytes rather than 48.
    private Flags _flags;

    [Flags]
    private enum Flags : byte { RequiresGrad = 1, Pooled = 2, View = 4, Released = 8, GradIsZero = 16 }

    private bool Has(Flags flag) => (_flags & flag) != 0;

    private void Set(Flags flag, bool on) => _flags = on ? _flags | flag : _flags & ~flag;

    // ZeroGrad without the memory pass: _grad's values count as zero until something reads or writes it. A training step
    // zeroes 3.7 M gradients of the paper MLP, and its backward then overwrites nearly all of them (GradToOverwrite).
    private bool GradCountsAsZero
    {
        get => Has(Flags.GradIsZero);
        set => Set(Flags.GradIsZero, value);
    }

    private bool Released
    {
        get => Has(Flags.Released);
        set => Set(Flags.Released, value);
    }

    /// <summary>Dimensions, outermost first. Do not mutate.</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements (product of <see cref="Shape"/>).</summary>
    public int Length { get; }

    /// <summary>Whether gradients flow to this tensor. Parameters set this; ops propagate it.</summary>
    public bool RequiresGrad
    {
        get => Has(Flags.RequiresGrad);
        set => Set(Flags.RequiresGrad, value);
    }

    /// <summary>Optional human-readable name (parameters carry their checkpoint name here).</summary>
    public string? Name
    {
        get => Names.TryGetValue(this, out var name) ? name : null;
        set
        {
            if (value is null) Names.Remove(this);
            else Names.AddOrUpdate(this, value);
        }
    }

    // Names belong to parameters and buffers (dozens a model), so they live beside the tensor, not in each of the hundred
    // tensors a training step makes: without the field a tensor is 48 bytes, not 56.
    private static readonly ConditionalWeakTable<Tensor, string> Names = new();

    /// <summary>True for tensors whose buffer came from the pool and goes back when the tape ends.</summary>
    internal bool IsPooled => Has(Flags.Pooled);

    /// <summary>True for reshape views: they share the buffer but never return it to the pool.</summary>
    internal bool IsView => Has(Flags.View);

    internal Tensor(int[] shape, float[] data, bool pooled, bool view)
    {
        Shape = shape;
        Length = data.Length;
        _data = data;
        Set(Flags.Pooled, pooled);
        Set(Flags.View, view);
    }

    /// <summary>Creates a zero-filled tensor of the given shape (heap-allocated, never pooled).</summary>
    public Tensor(params int[] shape) : this((int[])shape.Clone(), new float[Shapes.Count(shape)], pooled: false, view: false) { }

    /// <summary>Wraps <paramref name="data"/> (not copied) with the given shape.</summary>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int count = Shapes.Count(shape);
        if (count != data.Length)
            throw new ArgumentException($"shape [{Shapes.Format(shape)}] holds {count} elements but data has {data.Length}", nameof(data));
        return new Tensor((int[])shape.Clone(), data, pooled: false, view: false);
    }

    /// <summary>A scalar tensor of shape [1].</summary>
    public static Tensor Scalar(float value) => FromArray([value], 1);

    /// <summary>
    /// A (rows, columns) tensor as <see cref="Uninitialized(int[])"/>, its shape array shared with earlier tensors of the
    /// same shape (shapes are never written; a step makes a hundred such tensors, and their arrays were an eighth of what
    /// the semi-supervised iteration allocated).
    /// </summary>
    internal static Tensor Uninitialized(int rows, int columns) => Uninitialized(SharedShape(rows, columns));

    [ThreadStatic] private static int[]?[]? _sharedShapes;

    // A direct-mapped cache of 32 rank-2 shapes: a collision only costs a new array.
    private static int[] SharedShape(int rows, int columns)
    {
        var cache = _sharedShapes ??= new int[]?[32];
        int slot = (int)((uint)(rows * 31 + columns) % 32u);
        var shape = cache[slot];
        if (shape is null || shape[0] != rows || shape[1] != columns) cache[slot] = shape = [rows, columns];
        return shape;
    }

    /// <summary>
    /// Allocates an output tensor for an op: from the pool when a tape is active (returned when it ends),
    /// else from the heap. Contents are undefined; the op must overwrite every element.
    /// </summary>
    internal static Tensor Uninitialized(params int[] shape)
    {
        var arena = TensorArena.Current;
        int count = Shapes.Count(shape);
        if (arena is null) return new Tensor(shape, new float[count], pooled: false, view: false);
        var t = new Tensor(shape, BufferPool<float>.Shared.Rent(count), pooled: true, view: false);
        arena.Own(t);
        return t;
    }

    /// <summary>The element buffer (exactly <see cref="Length"/> long).</summary>
    public float[] Data
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (Released) ThrowReleased();
            return _data;
        }
    }

    /// <summary>Accumulated gradient, same length as <see cref="Data"/>; null until a backward pass reaches it.</summary>
    public float[]? Grad
    {
        get
        {
            if (Released) ThrowReleased();
            if (GradCountsAsZero) ClearStaleGrad();
            return _grad;
        }
        internal set => (_grad, GradCountsAsZero) = (value, false);
    }

    /// <summary>Span over the elements.</summary>
    public Span<float> Span => Data.AsSpan();

    /// <summary>Number of rows of a rank-2 tensor (or the leading dimension of any tensor).</summary>
    public int Rows => Shape[0];

    /// <summary>Elements per leading index: the column count of a rank-2 tensor.</summary>
    public int RowLength => Shape.Length == 0 ? 1 : Length / Math.Max(1, Shape[0]);

    /// <summary>Value of a single-element tensor.</summary>
    public float Item()
    {
        if (Length != 1) throw new InvalidOperationException($"Item() needs a one-element tensor, this one has shape [{Shapes.Format(Shape)}]");
        return Data[0];
    }

    /// <summary>Heap copy of the values (survives the tape), without gradient history.</summary>
    public Tensor Clone() => FromArray((float[])Data.Clone(), Shape);

    /// <summary>Returns the gradient buffer, creating a zeroed one if needed (pooled for pooled tensors).</summary>
    internal float[] EnsureGrad()
    {
        if (Released) ThrowReleased();
        if (_grad is not null)
        {
            if (GradCountsAsZero) ClearStaleGrad();
            return _grad;
        }
        var grad = NewGrad();
        Array.Clear(grad);
        return grad;
    }

    /// <summary>
    /// The gradient buffer for a backward pass that will write every element: <paramref name="overwrite"/> is true when
    /// its values count as zero without having been cleared (a new buffer, or one zeroed by <see cref="ZeroGrad"/>), and
    /// the caller must then store, not add (a GEMM with beta 0); else it accumulates.
    /// </summary>
    internal float[] GradToOverwrite(out bool overwrite)
    {
        if (Released) ThrowReleased();
        overwrite = _grad is null || GradCountsAsZero;
        GradCountsAsZero = false;
        return _grad ?? NewGrad();
    }

    // A gradient buffer of Length, contents unspecified: pooled (returned when the tape ends) for pooled tensors.
    private float[] NewGrad()
    {
        if (IsPooled && TensorArena.Current is { } arena)
        {
            _grad = BufferPool<float>.Shared.Rent(Length);
            arena.OwnGrad(this);
        }
        else
        {
            _grad = GC.AllocateUninitializedArray<float>(Length);
        }
        return _grad;
    }

    private void ClearStaleGrad()
    {
        Array.Clear(_grad!);
        GradCountsAsZero = false;
    }

    /// <summary>
    /// Zeroes the gradient (kept allocated so the next backward pass reuses it). Free: the buffer is marked, and cleared
    /// only if something reads it before a backward pass overwrites it.
    /// </summary>
    public void ZeroGrad()
    {
        if (_grad is not null) GradCountsAsZero = true;
    }

    internal void ReleaseGradToPool()
    {
        if (_grad is null) return;
        BufferPool<float>.Shared.Return(_grad);
        (_grad, GradCountsAsZero) = (null, false);
    }

    internal void ReleaseToPool()
    {
        if (Released) return;
        if (IsPooled && !IsView) BufferPool<float>.Shared.Return(_data);
        Released = true;
        _data = [];
    }

    internal Tensor ViewAs(int[] shape)
    {
        var view = new Tensor(shape, Data, pooled: IsPooled, view: true) { RequiresGrad = RequiresGrad };
        TensorArena.Current?.Own(view); // so reading the view after the arena ends throws too
        return view;
    }

    private static void ThrowReleased() =>
        throw new ObjectDisposedException(nameof(Tensor), "this tensor belonged to a tape that has ended; call Clone() inside the tape to keep its values");

    /// <inheritdoc />
    public override string ToString() => $"Tensor{(Name is null ? "" : " " + Name)} [{Shapes.Format(Shape)}]";
}
