using System.Diagnostics;
using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Bench;

/// <summary>
/// The GEMM micro-kernel's ceiling: one 6×32 (or 6×16) tile over packed panels that stay in L1 (kc = 256, as in a
/// product), called again and again on one thread, beside the FMA peak measured in the same rounds. A product on the
/// paper's shapes cannot beat this share of peak; the gap between it and `gemm`'s is packing, edges and threads.
/// </summary>
internal static unsafe class KernelBench
{
    private const int Kc = 256;

    public static int Run(BenchOptions options)
    {
        const int calls = 200_000;
        int nr = ManagedGemm.Uses512 ? 32 : 16;
        var rng = new Rng(3);
        var a = GC.AllocateUninitializedArray<float>(ManagedGemm.MR * Kc, pinned: true);
        var b = GC.AllocateUninitializedArray<float>(nr * Kc, pinned: true);
        var c = GC.AllocateUninitializedArray<float>(ManagedGemm.MR * nr, pinned: true);
        rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
        fixed (float* pa = a, pb = b, pc = c)
        {
            Once(pa, pb, pc, nr, 1000); // JIT
            for (int round = 1; round <= Math.Max(1, Math.Min(options.Iterations, 5)); round++)
            {
                double kernel = 0;
                for (int i = 0; i < 3; i++) kernel = Math.Max(kernel, Once(pa, pb, pc, nr, calls));
                double peak = PeakBench.Measure(1).PerCore;
                Console.WriteLine($"round {round}: kernel_gflops={kernel:F1} peak_gflops={peak:F1} kernel_share_of_peak={kernel / peak:P0}");
            }
        }
        return 0;
    }

    // GFLOP/s of `calls` tiles of Kc steps on the same panels.
    private static double Once(float* a, float* b, float* c, int nr, int calls)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < calls; i++)
        {
            if (nr == 32) MicroKernels.Kernel6x32(Kc, a, b, c, nr, 1f, 1f, ManagedGemm.MR, nr);
            else MicroKernels.Kernel6x16(Kc, a, b, c, nr, 1f, 1f, ManagedGemm.MR, nr);
        }
        return 2.0 * ManagedGemm.MR * nr * Kc * calls / clock.Elapsed.TotalSeconds / 1e9;
    }
}
