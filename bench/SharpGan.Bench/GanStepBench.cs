using SharpGan.Gan;
using SharpGan.Optim;
using SharpGan.Tensors;

namespace SharpGan.Bench;

/// <summary>
/// One full Algorithm-1 iteration of the paper's MNIST GAN (batch 100, G 100→1200→1200→784, D maxout 240×5 ×2
/// with dropout; one D step on 100 real + 100 fake, one G step; SGD with momentum) on random data.
/// bench/pytorch_gan_step.py runs the same iteration in PyTorch.
/// </summary>
internal static class GanStepBench
{
    public static int Run(BenchOptions options)
    {
        if (options.Model != "paper-mlp")
        {
            Console.Error.WriteLine($"unknown model '{options.Model}': available: paper-mlp");
            return 2;
        }
        const int batch = 100;
        var rng = new Rng(1234);
        var g = new MlpGenerator();
        g.InitializeUniform(0.05f, rng);
        var d = new MaxoutDiscriminator(new Rng(7));
        d.InitializeUniform(0.005f, rng);
        var optG = new Sgd(g.NamedParameters(), 0.1f, 0.5f);
        var optD = new Sgd(d.NamedParameters(), 0.1f, 0.5f);
        var step = new AdversarialStep(g, d, optG, optD, batch, 100, new Rng(99));
        var real = new Tensor(batch, 784);
        rng.FillUniform(real.Data, 0, 1);
        StepStats last = default;
        void Iteration() => last = step.Run(() => real);

        // Steady state, as in a real run: enough iterations for the tiered JIT to re-compile every hot method.
        for (int i = 0; i < 40; i++) Iteration();
        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < 10; i++) Iteration();
        long allocPerIter = (GC.GetTotalAllocatedBytes(precise: true) - allocBefore) / 10;
        double ms = Timing.MedianMilliseconds(Iteration, 0, options.Iterations);
        // A second pass with a timing wrapper splits the iteration into GEMM time and everything else.
        var timed = new TimedGemm(SharpGan.Tensors.Gemm.Gemm.Backend);
        var saved = SharpGan.Tensors.Gemm.Gemm.Backend;
        SharpGan.Tensors.Gemm.Gemm.Backend = timed;
        for (int i = 0; i < 10; i++) Iteration();
        SharpGan.Tensors.Gemm.Gemm.Backend = saved;
        Console.WriteLine($"gemm_ms_per_iter={timed.Ticks * 1000.0 / System.Diagnostics.Stopwatch.Frequency / 10:F2} gemm_calls_per_iter={timed.Calls / 10}");
        double optMs = Timing.MedianMilliseconds(() => { optG.Step(); optD.Step(); }, 3, 20);
        double zeroMs = Timing.MedianMilliseconds(() => { optG.ZeroGrad(); optD.ZeroGrad(); }, 3, 20);
        Console.WriteLine($"optimizer_step_ms={optMs:F2} zero_grad_ms={zeroMs:F2}");
        Console.WriteLine($"last: d_loss={last.DiscriminatorLoss:F4} g_loss={last.GeneratorLoss:F4} D(x)={last.MeanDReal:F3} D(G(z))={last.MeanDFake:F3}");
        Console.WriteLine($"allocated_bytes_per_iter={allocPerIter}");
        Console.WriteLine($"ms_per_iter={ms:F2}");
        return 0;
    }
}
