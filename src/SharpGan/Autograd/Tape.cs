using SharpGan.Tensors;

namespace SharpGan.Autograd;

/// <summary>
/// Reverse-mode differentiation: while a tape is current, every op whose inputs include a tensor that
/// requires a gradient records a closure that pushes its output's gradient back to those inputs.
/// <see cref="Backward"/> replays the closures in reverse. A tape also owns the pooled buffers of the
/// step (see <see cref="TensorArena"/>), so ending it frees every intermediate at once; reuse one tape per
/// loop to keep steps allocation-free.
/// <code>
/// using (tape.Begin()) { var loss = Ops.Mean(model.Forward(x)); tape.Backward(loss); }
/// </code>
/// </summary>
public sealed class Tape : IDisposable
{
    [ThreadStatic] private static Tape? _current;
    private readonly TensorArena _arena = new();
    private readonly List<Node> _nodes = new();
    private Tape? _previous;
    private int _noGradDepth;
    private bool _active;

    private readonly record struct Node(Tensor Output, Action Backward);

    /// <summary>The tape recording on this thread, or null.</summary>
    public static Tape? Current => _current;

    /// <summary>Number of recorded ops (for tests and diagnostics).</summary>
    public int RecordedOps => _nodes.Count;

    /// <summary>Makes this tape current and opens its arena. Returns itself for <c>using</c>.</summary>
    public Tape Begin()
    {
        if (_active) throw new InvalidOperationException("this tape is already recording; call End() (or dispose it) first");
        _active = true;
        _previous = _current;
        _current = this;
        _arena.Enter();
        return this;
    }

    /// <summary>Drops the recorded ops and releases every intermediate tensor and gradient of this tape.</summary>
    public void End()
    {
        if (!_active) return;
        _nodes.Clear();
        _noGradDepth = 0;
        _arena.Exit();
        _current = _previous;
        _previous = null;
        _active = false;
    }

    /// <inheritdoc />
    public void Dispose() => End();

    /// <summary>Ops inside the returned scope record nothing (sampling, evaluation, the D step's G pass).</summary>
    public NoGradScope NoGrad()
    {
        _noGradDepth++;
        return new NoGradScope(this);
    }

    /// <summary>Ends a <see cref="NoGrad"/> region.</summary>
    public readonly struct NoGradScope(Tape tape) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => tape._noGradDepth--;
    }

    internal static bool ShouldRecord(Tensor a) =>
        a.RequiresGrad && _current is { _noGradDepth: 0 };

    internal static bool ShouldRecord(Tensor a, Tensor b) =>
        (a.RequiresGrad || b.RequiresGrad) && _current is { _noGradDepth: 0 };

    internal static bool ShouldRecord(Tensor a, Tensor b, Tensor? c) =>
        (a.RequiresGrad || b.RequiresGrad || (c?.RequiresGrad ?? false)) && _current is { _noGradDepth: 0 };

    /// <summary>Records <paramref name="backward"/> for <paramref name="output"/> and marks the output as needing a gradient.</summary>
    internal static void Record(Tensor output, Action backward)
    {
        output.RequiresGrad = true;
        _current!._nodes.Add(new Node(output, backward));
    }

    /// <summary>
    /// Seeds d(loss)/d(loss) = 1 and runs every recorded backward closure in reverse order. Gradients
    /// accumulate into parameters' <see cref="Tensor.Grad"/> until zeroed. The recording is consumed.
    /// </summary>
    public void Backward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.Length != 1)
            throw new ArgumentException($"Backward needs a scalar loss, got shape [{Shapes.Format(loss.Shape)}]", nameof(loss));
        if (!loss.RequiresGrad)
            throw new ArgumentException("the loss does not depend on any tensor that requires a gradient (was it computed inside NoGrad?)", nameof(loss));
        loss.EnsureGrad()[0] += 1f;
        for (int i = _nodes.Count - 1; i >= 0; i--)
        {
            var node = _nodes[i];
            if (node.Output.Grad is not null) node.Backward();
        }
        _nodes.Clear();
    }
}
