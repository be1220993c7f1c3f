using SharpGan.Tensors;
using SharpGan.Tensors.Gemm;

namespace SharpGan.Bench;

/// <summary>GFLOP/s of both GEMM backends on the paper MLP's forward and backward shapes.</summary>
internal static class GemmBench
{
    // (label, transA, transB, m, n, k). Forward y = x·Wᵀ is "NT" with m = batch, k = in, n = out;
    // backward dx = dy·W is "NN" (m = batch, k = out, n = in); dW = dyᵀ·x is "TN" (m = out, k = batch, n = in).
    private static readonly (string Label, bool TA, bool TB, int M, int N, int K)[] Shapes =
    [
        ("fwd G1 100x100x1200", false, true, 100, 1200, 100),
        ("fwd G2 100x1200x1200", false, true, 100, 1200, 1200),
        ("fwd G3 100x1200x784", false, true, 100, 784, 1200),
        ("fwd D1 200x784x1200", false, true, 200, 1200, 784),
        ("bwd dX G2 100x1200x1200", false, false, 100, 1200, 1200),
        ("bwd dX G3 100x784x1200", false, false, 100, 1200, 784),
        ("bwd dW G2 1200x100x1200", true, false, 1200, 1200, 100),
        ("bwd dW G3 784x100x1200", true, false, 784, 1200, 100),
        ("bwd dW D1 1200x200x784", true, false, 1200, 784, 200),
        ("bwd dW G1 1200x100x100", true, false, 1200, 100, 100),
        ("fwd D2 200x240x1200", false, true, 200, 1200, 240),
        ("bwd dX D2 200x1200x240", false, false, 200, 240, 1200),
        ("bwd dX D2 (G step) 100x1200x240", false, false, 100, 240, 1200),
        ("bwd dW D2 1200x200x240", true, false, 1200, 240, 200),
    ];

    public static int Run(BenchOptions options)
    {
        var backends = new List<IGemmBackend> { Gemm.Managed };
        if (Gemm.OpenBlasOrNull is { } blas) backends.Add(blas);
        // One backend at a time over all shapes: OpenBLAS's threads keep spinning for a while after a call
        // and would steal the cores from a managed run that followed it directly.
        var gflops = new double[backends.Count, Shapes.Length];
        var rng = new Rng(1);
        for (int bi = 0; bi < backends.Count; bi++)
        for (int si = 0; si < Shapes.Length; si++)
        {
            var s = Shapes[si];
            var a = new float[s.M * s.K]; var b = new float[s.K * s.N]; var c = new float[s.M * s.N];
            rng.FillUniform(a, -1, 1); rng.FillUniform(b, -1, 1);
            int lda = s.TA ? s.M : s.K, ldb = s.TB ? s.K : s.N;
            var backend = backends[bi];
            void Product() => backend.Sgemm(s.TA, s.TB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);
            // Half a second of unmeasured calls before the first shape: the tiered JIT recompiles the worker pool's loops
            // only after a quiet 100 ms, and the first shape was timed before that (100×100×1200 read 85 GFLOP/s, 170 after).
            if (si == 0) Timing.WarmFor(Product, TimeSpan.FromSeconds(0.5));
            double ms = Timing.MedianMilliseconds(Product, 20, options.Iterations);
            gflops[bi, si] = 2.0 * s.M * s.N * s.K / ms / 1e6;
        }
        Console.WriteLine($"{"shape (m×k×n)",-34} {"op",-3} " + string.Join(" ", backends.Select(b => $"{b.Name + " GF/s",14}")));
        for (int si = 0; si < Shapes.Length; si++)
        {
            var s = Shapes[si];
            var cells = Enumerable.Range(0, backends.Count).Select(bi => $"{gflops[bi, si],14:F1}");
            Console.WriteLine($"{s.Label,-34} {(s.TA ? "T" : "N") + (s.TB ? "T" : "N"),-3} " + string.Join(" ", cells));
        }
        return 0;
    }
}
