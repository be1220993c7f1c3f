using System.Diagnostics;

namespace SharpGan.Tensors;

/// <summary>
/// A fork-join loop over persistent worker threads that allocates nothing per call, unlike
/// <see cref="Parallel.For(int, int, Action{int})"/>, which allocates on each of the hundreds of
/// kernel calls in a training step. Work items are claimed with an atomic counter; the body is a
/// static function pointer and its state a pointer to a struct on the caller's stack (valid because the
/// caller waits for every item). Callers on different threads take turns; a call from inside a body runs inline.
/// <para>
/// After a loop, workers spin for <see cref="SpinMicroseconds"/> before they sleep. A training step is a chain of
/// loops with short serial passes between them; a worker woken from its semaphore for each one joined tens of
/// microseconds late (a profile of the paper MLP at 2 threads found the worker asleep 59 % of the step, the caller
/// doing 2.2× its share of the products). Spinning holds the core only while loops keep coming.
/// </para>
/// </summary>
public static unsafe class WorkerPool
{
    /// <summary>How long a worker keeps looking for the next loop before it sleeps.</summary>
    public const int SpinMicroseconds = 500;

    private const int Awake = 0, Asleep = 1;

    private static readonly Lock Gate = new();
    private static readonly List<Worker> Workers = new();
    [ThreadStatic] private static bool _insideLoop;

    private static delegate*<int, nint, void> _body;
    private static nint _state;
    private static int _count, _next, _helpersRunning;
    // The current loop: its generation (counting up) above 16 bits and how many helpers it wants below, in one word so
    // a worker reads both at once; a worker that read the count of one loop and the generation of another could run a
    // loop it was not asked for and count itself out of the wrong one.
    private static long _loop;
    private const int WantedBits = 16;

    private sealed class Worker(int index)
    {
        public readonly int Index = index;
        public readonly SemaphoreSlim Wakeup = new(0);
        public int State = Awake;
    }

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
            // Publishes the loop to spinning workers (a full fence).
            Interlocked.Exchange(ref _loop, ((_loop >> WantedBits) + 1) << WantedBits | (long)helpers);
            for (int w = 0; w < helpers; w++)
            {
                // A sleeping worker is woken; a spinning one sees the new generation. Exactly one of this exchange and
                // the worker's own (when it sees the generation after announcing sleep) moves it to Awake.
                if (Interlocked.CompareExchange(ref Workers[w].State, Awake, Asleep) == Asleep) Workers[w].Wakeup.Release();
            }
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
        while (Workers.Count < helpers)
        {
            var worker = new Worker(Workers.Count);
            Workers.Add(worker);
            long before = _loop; // the loop about to be published is the new worker's first, however late it starts
            var thread = new Thread(() => WorkerLoop(worker, before)) { IsBackground = true, Name = "SharpGan worker" };
            thread.Start();
        }
    }

    private static void WorkerLoop(Worker worker, long seen)
    {
        _insideLoop = true;
        long spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
        while (true)
        {
            long loop = WaitForLoop(worker, seen, spinTicks);
            seen = loop;
            // Workers beyond the ones this loop asked for sit it out (they may have seen it while spinning).
            if (worker.Index >= (int)(loop & ((1 << WantedBits) - 1))) continue;
            RunItems();
            Interlocked.Decrement(ref _helpersRunning);
        }
    }

    // Returns the next loop after `seen`: spinning first, then asleep until For wakes this worker.
    private static long WaitForLoop(Worker worker, long seen, long spinTicks)
    {
        long until = Stopwatch.GetTimestamp() + spinTicks;
        var spin = new SpinWait(); // yields the core now and then, so a spinning worker never starves a runnable thread
        long loop;
        while ((loop = Volatile.Read(ref _loop)) == seen)
        {
            if (Stopwatch.GetTimestamp() > until)
            {
                Interlocked.Exchange(ref worker.State, Asleep); // a full fence: For's exchange or ours sees the other
                if ((loop = Volatile.Read(ref _loop)) != seen
                    && Interlocked.CompareExchange(ref worker.State, Awake, Asleep) == Asleep)
                    return loop; // took back the sleep before For saw it: no wakeup is owed
                worker.Wakeup.Wait(); // For moved this worker to Awake and releases (or has released) the semaphore
                return Volatile.Read(ref _loop);
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
        return loop;
    }
}
