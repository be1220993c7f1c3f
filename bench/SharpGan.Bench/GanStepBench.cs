using SharpGan.Gan;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Bench;

/// <summary>
/// One full Algorithm-1 iteration (one D step on a real and a fake batch, one G step) on random data, for the
/// networks of a preset: paper-mlp = mnist-paper (batch 100, G 100→1200→1200→784, maxout D with dropout, SGD with
/// momentum); dcgan28 = mnist-dcgan (batch 64, PAPER §7's 28×28 DCGAN, Adam). bench/pytorch_gan_step.py runs the
/// same iteration in PyTorch.
/// </summary>
internal static class GanStepBench
{
    public static int Run(BenchOptions options)
    {
        string? preset = options.Model switch { "paper-mlp" => "mnist-paper", "dcgan28" => "mnist-dcgan", _ => null };
        if (preset is null)
        {
            Console.Error.WriteLine($"unknown model '{options.Model}': available: paper-mlp, dcgan28");
            return 2;
        }
        var config = Presets.Get(preset);
        int batch = config.Training.BatchSize;
        var models = ModelFactory.Build(config, null);
        int batchesPerEpoch = 60_000 / batch; // MNIST's training set: only places the momentum ramp's epochs
        var optG = ModelFactory.BuildOptimizer(config, models.Generator, Player.Generator, batchesPerEpoch);
        var optD = ModelFactory.BuildOptimizer(config, models.Discriminator, Player.Discriminator, batchesPerEpoch);
        var step = new AdversarialStep(models.Generator, models.Discriminator, optG, optD, batch, models.NoiseDim, new Rng(99))
        {
            SeparateBatches = config.Training.SeparateDiscriminatorBatches,
        };
        var real = new Tensor(batch, models.SampleDim);
        new Rng(1234).FillUniform(real.Data, config.PixelRange == Data.PixelRange.ZeroOne ? 0 : -1, 1);
        StepStats last = default;
        void Iteration() => last = step.Run(() => real);

        // Steady state, as in a real run: enough iterations for the tiered JIT to re-compile every hot method.
        int warmup = options.Model == "dcgan28" ? 15 : 40;
        for (int i = 0; i < warmup; i++) Iteration();
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 5; i++) Iteration();
        long allocPerIter = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / 5;
        var times = Timing.Milliseconds(Iteration, 0, options.Iterations);
        double ms = Timing.Median(times), best = times.Min();
        // A second pass with a timing wrapper splits the iteration into GEMM time and everything else.
        var timed = new TimedGemm(SharpGan.Tensors.Gemm.Gemm.Backend);
        var saved = SharpGan.Tensors.Gemm.Gemm.Backend;
        SharpGan.Tensors.Gemm.Gemm.Backend = timed;
        for (int i = 0; i < 5; i++) Iteration();
        SharpGan.Tensors.Gemm.Gemm.Backend = saved;
        double gemmMs = timed.Ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency / 5, gflop = timed.Flops / 5 / 1e9;
        Console.WriteLine($"gemm_ms_per_iter={gemmMs:F2} gemm_calls_per_iter={timed.Calls / 5} gemm_gflop_per_iter={gflop:F3}");
        // The machine's FMA peak at this thread count, measured here, so the iteration states its share of it.
        double peak = Engine.Threads == 1 ? PeakBench.Measure(1).PerCore : PeakBench.Measure(Engine.Threads).All;
        Console.WriteLine($"peak_gflops={peak:F1} gemm_share_of_peak={gflop / (gemmMs / 1000) / peak:P0} iteration_share_of_peak={gflop / (ms / 1000) / peak:P0} outside_gemm_ms={ms - gemmMs:F2}");
        Console.WriteLine($"best_ms_per_iter={best:F2}");
        Console.WriteLine($"last: d_loss={last.DiscriminatorLoss:F4} g_loss={last.GeneratorLoss:F4} D(x)={last.MeanDReal:F3} D(G(z))={last.MeanDFake:F3}");
        Console.WriteLine($"allocated_bytes_per_iter={allocPerIter}");
        Console.WriteLine($"ms_per_iter={ms:F2}");
        return 0;
    }
}
