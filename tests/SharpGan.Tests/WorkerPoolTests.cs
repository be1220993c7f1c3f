using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public unsafe class WorkerPoolTests
{
    private struct Loop
    {
        public int* Hits;
    }

    private static void Hit(int i, nint state) => Interlocked.Increment(ref ((Loop*)state)->Hits[i]);

    [Fact]
    public void EveryItemRunsOnceWhetherWorkersSpinSleepOrSitOut()
    {
        // Loops back to back (workers still spinning), after pauses longer than the spin (workers asleep, woken by
        // their semaphore), and with the thread count changing (workers beyond a loop's wish sit it out), so each
        // hand-over between a loop and a worker is taken many times. A lost wakeup would hang here; a worker running
        // a loop twice, or one it was not asked for, would count an item twice.
        int before = Engine.Threads;
        var rng = new Random(7);
        int* hits = stackalloc int[16];
        try
        {
            for (int round = 0; round < 2000; round++)
            {
                Engine.Threads = 2 + round % 3;
                int count = 1 + rng.Next(16);
                new Span<int>(hits, 16).Clear();
                var loop = new Loop { Hits = hits };
                WorkerPool.For(count, &Hit, (nint)(&loop));
                for (int i = 0; i < 16; i++) Assert.Equal(i < count ? 1 : 0, hits[i]);
                if (round % 100 == 99) Thread.Sleep(1 + WorkerPool.SpinMicroseconds / 1000);
                else if (round % 7 == 0) Thread.SpinWait(rng.Next(2000));
            }
        }
        finally { Engine.Threads = before; }
    }
}
