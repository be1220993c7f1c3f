using SharpGan.Autograd;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;

namespace SharpGan.Bench;

/// <summary>Times the non-GEMM parts of the paper MLP's step and DCGAN-28's batch norm, op by op, forward + backward, on their shapes.</summary>
internal static class OpsBench
{
    public static int Run(BenchOptions options)
    {
        var rng = new Rng(3);
        var tape = new Tape();
        Tensor Rand(params int[] shape) { var t = new Tensor(shape); rng.FillUniform(t.Data, -1, 1); return t; }
        var x784 = Rand(200, 784); x784.RequiresGrad = true; var x1200 = Rand(200, 1200); var w = Rand(1200, 784); w.RequiresGrad = true;
        var wMax = Rand(1200, 784); wMax.RequiresGrad = true; var bMax = Rand(1200); bMax.RequiresGrad = true;
        var x100 = Rand(100, 784); x100.RequiresGrad = true;
        var maps = Rand(64, 128, 14, 14); maps.RequiresGrad = true; // DCGAN-28's G after its first transposed convolution
        var (gamma, beta, runningMean, runningVar) = (Rand(128), Rand(128), new Tensor(128), new Tensor(128));
        gamma.RequiresGrad = beta.RequiresGrad = true;
        var cases = new (string Name, Func<Tensor> Forward)[]
        {
            ("dropout 200x784 keep .8", () => Ops.Dropout(x784, 0.8f, rng)),
            ("maxout 200x784 -> 240x5", () => Ops.Maxout(x784, wMax, bMax, 240, 5)),
            ("linear+relu 200x784->1200", () => Ops.Linear(x784, w, null, Activation.ReLU)),
            ("sigmoid 100x784", () => Ops.Sigmoid(x100)),
            ("concat 2x100x784", () => Ops.Concat(0, x100, x100)),
            ("batchnorm 64x128x14x14", () => Ops.BatchNorm(maps, gamma, beta, runningMean, runningVar, training: true)),
        };
        foreach (var (name, forward) in cases)
        {
            double fwd = Timing.MedianMilliseconds(() => { using (tape.Begin()) forward(); }, 50, options.Iterations);
            double both = Timing.MedianMilliseconds(() => { using (tape.Begin()) tape.Backward(Ops.Mean(forward())); }, 50, options.Iterations);
            Console.WriteLine($"{name,-30} forward {fwd,7:F3} ms   forward+backward {both,7:F3} ms");
        }
        return 0;
    }
}
