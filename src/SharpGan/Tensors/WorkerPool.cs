namespace SharpGan.Tensors;

/// <summary>
/// A fork-join loop over persistent worker threads that allocates nothing per call, unlike
/// <see cref="Parallel.For(int, int, Action{int})"/>, which allocates on each of the hundreds of
/// kernel calls in a training step. Work items are claimed with an atomic counter; the body is a
/// static function pointer and its state a pointer to a struct on the caller's stack (valid because the
/// caller waits for every item). Callers on different threads take turns; a call from inside a body runs inline.
/// </summary>
public static unsafe class WorkerPool
{
    private static readonly Lock Gate = new();
    private static readonly List<SemaphoreSlim> Wakeups = new();
    [ThreadStatic] private static bool _insideLoop;

    private static delegate*<int, nint, void> _body;
    private static nint _state;
    private static int _count, _next, _helpersRunning;

    /// <summary>Runs body(i, state) for every i in [0, count) on up to <see cref="Engine.Threads"/> threads.</summary>
    public static void For(int count, delegate*<int, nint, void> body, nint state)
    {
        int helpers = Math.Min(Engine.Threads, count) - 1;
        if (helpers <= 0 || _insideLoop)
        {
            for (int i = 0; i < count; i++) body(i, state);
            return;
        }
        lock (Gate)
        {
            EnsureWorkers(helpers);
            _body = body; _state = state; _count = count; _next = 0;
            Volatile.Write(ref _helpersRunning, helpers);
            for (int w = 0; w < helpers; w++) Wakeups[w].Release();
            _insideLoop = true;
            try { RunItems(); }
            finally { _insideLoop = false; }
            var spin = new SpinWait();
            while (Volatile.Read(ref _helpersRunning) != 0) spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private static void RunItems()
    {
        int i;
        while ((i = Interlocked.Increment(ref _next) - 1) < _count) _body(i, _state);
    }

    private static void EnsureWorkers(int helpers)
    {
        while (Wakeups.Count < helpers)
        {
            var wakeup = new SemaphoreSlim(0);
            Wakeups.Add(wakeup);
            var thread = new Thread(() => WorkerLoop(wakeup)) { IsBackground = true, Name = "SharpGan worker" };
            thread.Start();
        }
    }

    private static void WorkerLoop(SemaphoreSlim wakeup)
    {
        _insideLoop = true;
        while (true)
        {
            wakeup.Wait();
            RunItems();
            Interlocked.Decrement(ref _helpersRunning);
        }
    }
}
