using System.Runtime.CompilerServices;
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
/// Gradients of gradients (a gradient penalty, R1): open the tape with <c>Begin(secondOrder: true)</c> and every op
/// also records its backward written in ops (<see cref="GraphBackward"/>). <see cref="Gradients"/> with
/// <c>createGraph: true</c> then runs those, recording them on the tape, so a loss built from the gradients it
/// returns is differentiated by <see cref="Backward"/> like any other (PyTorch's <c>autograd.grad(create_graph=True)</c>).
/// A first-order tape allocates nothing for this.
/// </summary>
public sealed class Tape : IDisposable
{
    [ThreadStatic] private static Tape? _current;
    private readonly TensorArena _arena = new();
    private readonly List<Node> _nodes = new();
    private Tape? _previous;
    private int _noGradDepth;
    private bool _active;
    private bool _secondOrder;

    private readonly record struct Node(Tensor Output, Action Backward, GraphBackward? Graph, string Op);

    /// <summary>
    /// An op's backward written in ops: given the output's gradient <paramref name="dy"/> (a tensor that may itself be
    /// on the tape), adds each input's gradient to <paramref name="sink"/>. Ops run inside it are recorded when the
    /// caller asked for a graph, so the result can be differentiated again.
    /// </summary>
    internal delegate void GraphBackward(Tensor dy, GradientSink sink);

    /// <summary>The tape recording on this thread, or null.</summary>
    public static Tape? Current => _current;

    /// <summary>Number of recorded ops (for tests and diagnostics).</summary>
    public int RecordedOps => _nodes.Count;

    /// <summary>
    /// Makes this tape current and opens its arena. Returns itself for <c>using</c>. With <paramref name="secondOrder"/>
    /// every op also records its backward in ops, so <see cref="Gradients"/> can differentiate through it.
    /// </summary>
    public Tape Begin(bool secondOrder = false)
    {
        if (_active) throw new InvalidOperationException("this tape is already recording; call End() (or dispose it) first");
        _active = true;
        _secondOrder = secondOrder;
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
        _secondOrder = false;
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

    /// <summary>
    /// Whether the current tape records each op's <see cref="GraphBackward"/>. Ops pass one only then
    /// (<c>Tape.SecondOrder ? (dy, sink) =&gt; … : null</c>), so a first-order step allocates no second delegate.
    /// </summary>
    internal static bool SecondOrder => _current is { _secondOrder: true };

    /// <summary>
    /// Records <paramref name="backward"/> (and, on a second-order tape, <paramref name="graph"/>) for
    /// <paramref name="output"/> and marks the output as needing a gradient. <paramref name="op"/> names the op in errors.
    /// </summary>
    internal static void Record(Tensor output, Action backward, GraphBackward? graph = null, [CallerMemberName] string op = "")
    {
        output.RequiresGrad = true;
        _current!._nodes.Add(new Node(output, backward, _current._secondOrder ? graph : null, op));
    }

    /// <summary>
    /// The gradients of the scalar <paramref name="output"/> with respect to <paramref name="inputs"/>, returned rather
    /// than accumulated (zeros for an input the output does not depend on); the recording is kept, so
    /// <see cref="Backward"/> can run afterwards. With <paramref name="createGraph"/> the returned gradients are on the
    /// tape: a loss made from them differentiates back through them (a gradient penalty). Needs a tape begun with
    /// <c>secondOrder: true</c>; throws <see cref="NotSupportedException"/> naming an op on the path that has no
    /// backward in ops.
    /// </summary>
    public Tensor[] Gradients(Tensor output, IReadOnlyList<Tensor> inputs, bool createGraph = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(inputs);
        if (!_active || _current != this) throw new InvalidOperationException("Gradients needs this tape to be the one recording");
        if (!_secondOrder) throw new InvalidOperationException("Gradients needs a tape begun with Begin(secondOrder: true)");
        if (output.Length != 1)
            throw new ArgumentException($"Gradients needs a scalar output, got shape [{Shapes.Format(output.Shape)}]", nameof(output));
        if (!output.RequiresGrad)
            throw new ArgumentException("the output does not depend on any tensor that requires a gradient", nameof(output));
        var sink = new GradientSink(inputs);
        int recorded = _nodes.Count; // ops the loop below records are appended after these and not visited
        var noGrad = createGraph ? default(NoGradScope?) : NoGrad();
        try
        {
            sink.Add(output, Tensor.FromArray([1f], output.Shape));
            for (int i = recorded - 1; i >= 0; i--)
            {
                var node = _nodes[i];
                if (sink.Take(node.Output) is not { } dy) continue;
                if (node.Graph is null) throw new NotSupportedException($"{node.Op} has no second-order backward: it cannot be differentiated twice");
                node.Graph(dy, sink);
            }
        }
        finally { noGrad?.Dispose(); }
        return [.. inputs.Select(sink.Result)];
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
