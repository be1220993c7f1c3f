using System.Diagnostics;

namespace SharpGan.Bench;

/// <summary>Median wall time of repeated runs, after warm-up (tiered JIT, pools and caches settle first).</summary>
internal static class Timing
{
    public static double MedianMilliseconds(Action action, int warmup, int runs) => Median(Milliseconds(action, warmup, runs));

    /// <summary>Runs <paramref name="action"/> unmeasured for at least <paramref name="duration"/>.</summary>
    public static void WarmFor(Action action, TimeSpan duration)
    {
        long start = Stopwatch.GetTimestamp();
        do action(); while (Stopwatch.GetElapsedTime(start) < duration);
    }

    /// <summary>The wall time of each of <paramref name="runs"/> runs after <paramref name="warmup"/> unmeasured ones.</summary>
    public static double[] Milliseconds(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++) action();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return times;
    }

    public static double Median(double[] times)
    {
        var sorted = times.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
