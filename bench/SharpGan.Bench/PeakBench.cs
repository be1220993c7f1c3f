using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace SharpGan.Bench;

/// <summary>
/// The machine's float32 FMA peak, measured in this process: a loop of 12 independent fused multiply-adds on the widest
/// vectors the CPU has (enough chains to cover the FMA latency on two ports), on one thread and on every thread at once.
/// Other benchmarks state their fraction of it; `bench peak` prints it.
/// </summary>
internal static class PeakBench
{
    private const int Chains = 12;

    public static int Run(BenchOptions options)
    {
        var (perCore, all) = Measure(options.Threads);
        Console.WriteLine($"vector_bits={(Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 128)}");
        Console.WriteLine($"peak_gflops_1_thread={perCore:F1}");
        Console.WriteLine($"peak_gflops_{options.Threads}_threads={all:F1}");
        return 0;
    }

    /// <summary>GFLOP/s (one FMA = 2 flops) on one thread and on <paramref name="threads"/> threads at once; best of 5.</summary>
    public static (double PerCore, double All) Measure(int threads)
    {
        const long Iterations = 20_000_000;
        Loop(1000); // JIT the loop before it is timed
        double Best(int n)
        {
            double best = 0;
            for (int repeat = 0; repeat < 5; repeat++)
            {
                var clock = Stopwatch.StartNew();
                Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = n }, _ => Loop(Iterations));
                best = Math.Max(best, n * Iterations * Chains * Lanes * 2.0 / clock.Elapsed.TotalSeconds / 1e9);
            }
            return best;
        }
        return (Best(1), Best(threads));
    }

    private static int Lanes => Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop(long iterations) => Vector512.IsHardwareAccelerated ? Loop512(iterations) : Loop256(iterations);

    // acc_i = acc_i·m + a on 12 independent registers: the loop is FMA-bound, nothing else.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.9999f), a = Vector512.Create(1e-4f);
        Vector512<float> c0 = Vector512.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, a); c1 = Vector512.FusedMultiplyAdd(c1, m, a);
            c2 = Vector512.FusedMultiplyAdd(c2, m, a); c3 = Vector512.FusedMultiplyAdd(c3, m, a);
            c4 = Vector512.FusedMultiplyAdd(c4, m, a); c5 = Vector512.FusedMultiplyAdd(c5, m, a);
            c6 = Vector512.FusedMultiplyAdd(c6, m, a); c7 = Vector512.FusedMultiplyAdd(c7, m, a);
            c8 = Vector512.FusedMultiplyAdd(c8, m, a); c9 = Vector512.FusedMultiplyAdd(c9, m, a);
            c10 = Vector512.FusedMultiplyAdd(c10, m, a); c11 = Vector512.FusedMultiplyAdd(c11, m, a);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop256(long iterations)
    {
        Vector256<float> m = Vector256.Create(0.9999f), a = Vector256.Create(1e-4f);
        Vector256<float> c0 = Vector256.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, a); c1 = Vector256.FusedMultiplyAdd(c1, m, a);
            c2 = Vector256.FusedMultiplyAdd(c2, m, a); c3 = Vector256.FusedMultiplyAdd(c3, m, a);
            c4 = Vector256.FusedMultiplyAdd(c4, m, a); c5 = Vector256.FusedMultiplyAdd(c5, m, a);
            c6 = Vector256.FusedMultiplyAdd(c6, m, a); c7 = Vector256.FusedMultiplyAdd(c7, m, a);
            c8 = Vector256.FusedMultiplyAdd(c8, m, a); c9 = Vector256.FusedMultiplyAdd(c9, m, a);
            c10 = Vector256.FusedMultiplyAdd(c10, m, a); c11 = Vector256.FusedMultiplyAdd(c11, m, a);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
