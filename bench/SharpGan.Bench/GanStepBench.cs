using SharpGan.Gan;
using SharpGan.Models;
using SharpGan.Optim;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Bench;

/// <summary>
/// One full Algorithm-1 iteration (one D step on a real and a fake batch, one G step) on random data, for the
/// networks of a preset: paper-mlp = mnist-paper (batch 100, G 100→1200→1200→784, maxout D with dropout, SGD with
/// momentum); dcgan28 = mnist-dcgan (batch 64, PAPER §7's 28×28 DCGAN, Adam); cgan = mnist-cgan (the paper MLP
/// with a one-hot label beside z and beside x); semi = `semi train`'s iteration (Salimans et al.'s weight-normalised
/// D with Gaussian noise on 100 labelled, 100 unlabelled and 100 generated rows, the average of D, G's feature-matching
/// update; Adam). bench/pytorch_gan_step.py runs the same iterations in PyTorch.
/// </summary>
internal static class GanStepBench
{
    public static int Run(BenchOptions options)
    {
        string? preset = options.Model switch { "paper-mlp" => "mnist-paper", "dcgan28" => "mnist-dcgan", "cgan" => "mnist-cgan", _ => null };
        Action iteration;
        Func<string> last;
        if (options.Model == "semi") (iteration, last) = SemiSupervisedIteration();
        else if (preset is not null) (iteration, last) = AdversarialIteration(preset);
        else
        {
            Console.Error.WriteLine($"unknown model '{options.Model}': available: paper-mlp, dcgan28, cgan, semi");
            return 2;
        }
        void Iteration() => iteration();

        // Steady state, as in a real run: enough iterations for the tiered JIT to re-compile every hot method.
        int warmup = options.Model == "dcgan28" ? 15 : 40;
        for (int i = 0; i < warmup; i++) Iteration();
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 5; i++) Iteration();
        long allocPerIter = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / 5;
        // The timed iterations run through a wrapper that clocks each GEMM call, so every iteration splits into GEMM time
        // and the rest (a few stopwatch reads a call); medians of each, since this machine's neighbours come and go.
        var timed = new TimedGemm(SharpGan.Tensors.Gemm.Gemm.Backend);
        var saved = SharpGan.Tensors.Gemm.Gemm.Backend;
        SharpGan.Tensors.Gemm.Gemm.Backend = timed;
        var times = new double[options.Iterations];
        var gemmTimes = new double[options.Iterations];
        for (int i = 0; i < options.Iterations; i++)
        {
            long gemmBefore = timed.Ticks, start = System.Diagnostics.Stopwatch.GetTimestamp();
            Iteration();
            times[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            gemmTimes[i] = (timed.Ticks - gemmBefore) * 1000.0 / System.Diagnostics.Stopwatch.Frequency;
        }
        SharpGan.Tensors.Gemm.Gemm.Backend = saved;
        double ms = Timing.Median(times), best = times.Min();
        double gemmMs = Timing.Median(gemmTimes), gflop = timed.Flops / options.Iterations / 1e9;
        double outsideMs = Timing.Median(times.Zip(gemmTimes, (t, g) => t - g).ToArray());
        int n = options.Iterations;
        Console.WriteLine($"gemm_ms_per_iter={gemmMs:F2} gemm_calls_per_iter={timed.Calls / n} gemm_gflop_per_iter={gflop:F3}");
        foreach (var ((op, m, nn, k), (ticks, calls)) in timed.ByShape.OrderByDescending(s => s.Value.Ticks))
        {
            double shapeMs = ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency / n;
            Console.WriteLine($"  gemm {op} m={m} n={nn} k={k}: {calls / n} a step, {shapeMs:F2} ms, {2.0 * m * nn * k * calls / n / (shapeMs / 1000) / 1e9:F0} GFLOP/s");
        }
        // The machine's FMA peak at this thread count, measured here, so the iteration states its share of it.
        double peak = Engine.Threads == 1 ? PeakBench.Measure(1).PerCore : PeakBench.Measure(Engine.Threads).All;
        Console.WriteLine($"peak_gflops={peak:F1} gemm_share_of_peak={gflop / (gemmMs / 1000) / peak:P0} iteration_share_of_peak={gflop / (ms / 1000) / peak:P0} outside_gemm_ms={outsideMs:F2}");
        Console.WriteLine($"best_ms_per_iter={best:F2}");
        var sorted = times.Order().ToArray();
        Console.WriteLine("percentiles_ms: " + string.Join(" ", new[] { 10, 25, 50, 75, 90 }.Select(q => $"p{q}={sorted[(sorted.Length - 1) * q / 100]:F2}")));
        Console.WriteLine($"last: {last()}");
        Console.WriteLine($"allocated_bytes_per_iter={allocPerIter}");
        Console.WriteLine($"ms_per_iter={ms:F2}");
        return 0;
    }

    // Algorithm 1 for a preset's networks on a fixed random batch (with one-hot labels for a conditional preset).
    private static (Action, Func<string>) AdversarialIteration(string preset)
    {
        var config = Presets.Get(preset);
        int batch = config.Training.BatchSize;
        var models = ModelFactory.Build(config, null);
        int batchesPerEpoch = 60_000 / batch; // MNIST's training set: only places the momentum ramp's epochs
        var optG = ModelFactory.BuildOptimizer(config, models.Generator, Player.Generator, batchesPerEpoch);
        var optD = ModelFactory.BuildOptimizer(config, models.Discriminator, Player.Discriminator, batchesPerEpoch);
        var step = new AdversarialStep(models.Generator, models.Discriminator, optG, optD, batch, models.NoiseDim, new Rng(99),
            conditioning: models.Classes > 0 ? new ClassConditioning(models.Classes, new Rng(98), batch) : null)
        {
            SeparateBatches = config.Training.SeparateDiscriminatorBatches,
        };
        var real = new Tensor(batch, models.SampleDim + models.Classes);
        new Rng(1234).FillUniform(real.Data, config.PixelRange == Data.PixelRange.ZeroOne ? 0 : -1, 1);
        if (models.Classes > 0)
        {
            var labels = Enumerable.Range(0, batch).Select(i => (byte)(i % models.Classes)).ToArray();
            ClassConditioning.WriteOneHot(real.Data, batch, real.Shape[1], labels, models.Classes);
        }
        StepStats stats = default;
        return (() => stats = step.Run(() => real),
            () => $"d_loss={stats.DiscriminatorLoss:F4} g_loss={stats.GeneratorLoss:F4} D(x)={stats.MeanDReal:F3} D(G(z))={stats.MeanDFake:F3}");
    }

    // semi train's iteration, as SemiSupervisedTrainer runs it, on fixed random images (batch 100 of each kind).
    private static (Action, Func<string>) SemiSupervisedIteration()
    {
        var config = new SemiSupervisedConfig();
        int b = config.BatchSize, pixels = 784;
        var rng = new Rng(1234);
        var (labelled, unlabelled, z) = (new Tensor(b, pixels), new Tensor(b, pixels), new Tensor(b, config.NoiseDim));
        rng.FillUniform(labelled.Data, 0, 1);
        rng.FillUniform(unlabelled.Data, 0, 1);
        var labels = Enumerable.Range(0, b).Select(i => (byte)(i % 10)).ToArray();
        var d = new SemiSupervisedDiscriminator(pixels, 10, new Rng(7));
        var g = new SemiSupervisedGenerator(config.NoiseDim, pixels);
        d.Initialize(unlabelled, new Rng(8));
        g.Initialize(new Rng(9));
        var average = new GeneratorAverage(d, new SemiSupervisedDiscriminator(pixels, 10, new Rng(0)), config.EvaluationAverage);
        var (optD, optG) = (new Adam(d.NamedParameters(), config.LearningRate, config.Beta1), new Adam(g.NamedParameters(), config.LearningRate, config.Beta1));
        var step = new SemiSupervisedStep(d, g, optD, optG, config.UnsupervisedWeight, config.FeatureMatching);
        var noise = new Rng(99);
        float dLoss = 0, gLoss = 0;
        return (() =>
        {
            noise.FillUniform(z.Data, 0, 1);
            dLoss = step.Discriminator(labelled, labels, unlabelled, z);
            average.Update();
            noise.FillUniform(z.Data, 0, 1);
            gLoss = step.Generator(unlabelled, z);
        }, () => $"d_loss={dLoss:F4} g_loss={gLoss:F4}");
    }
}
