using System.Diagnostics;

namespace SharpGan.Bench;

/// <summary>Median wall time of repeated runs, after warm-up (tiered JIT, pools and caches settle first).</summary>
internal static class Timing
{
    public static double MedianMilliseconds(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]);
    }
}
