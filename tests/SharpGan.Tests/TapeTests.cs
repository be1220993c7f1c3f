using SharpGan.Autograd;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;
using Xunit;

namespace SharpGan.Tests;

public class TapeTests
{
    [Fact]
    public void GradientsAccumulateUntilZeroed()
    {
        var w = Tensor.FromArray([2f, -1f], 1, 2);
        w.RequiresGrad = true;
        var x = Tensor.FromArray([3f, 4f], 1, 2);
        var tape = new Tape();
        for (int i = 0; i < 2; i++)
            using (tape.Begin()) tape.Backward(Ops.Sum(Ops.Multiply(w, x)));
        Assert.Equal([6f, 8f], w.Grad!);
        w.ZeroGrad();
        Assert.Equal([0f, 0f], w.Grad!);
    }

    [Fact]
    public void ZeroedGradientsAreOverwrittenThenAccumulatedAndReadAsZeroWhenUntouched()
    {
        // ZeroGrad only marks a gradient; a product's backward then stores into it (GEMM beta 0) instead of adding.
        var w = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var unused = Tensor.FromArray([7f, 8f], 2);
        w.RequiresGrad = unused.RequiresGrad = true;
        var x = Tensor.FromArray([1f, -1f, 2f], 1, 3);
        var tape = new Tape();
        void Backward()
        {
            using (tape.Begin()) tape.Backward(Ops.Sum(Ops.Linear(x, w, null)));
        }
        Backward();
        float[] once = (float[])w.Grad!.Clone();
        Assert.Equal([1f, -1f, 2f, 1f, -1f, 2f], once);
        unused.EnsureGrad()[0] = 5f;
        Backward();                                       // accumulates: the first backward cleared the mark
        Assert.Equal(once.Select(v => 2 * v), w.Grad!);
        w.ZeroGrad();
        unused.ZeroGrad();
        Backward();                                       // overwrites the stale 2× values
        Assert.Equal(once, w.Grad!);
        Assert.Equal([0f, 0f], unused.Grad!);             // never written again: reads as zero
        w.ZeroGrad();
        Assert.All(w.Grad!, v => Assert.Equal(0f, v));
    }

    public static TheoryData<string> InputGradientOps() =>
        ["relu", "leaky", "tanh", "batchnorm", "conv", "convtranspose", "conv-bias", "reshape", "add", "noise", "weightnorm", "dropout"];

    [Theory]
    [MemberData(nameof(InputGradientOps))]
    public void InputGradientsAreStoredIntoAZeroedBufferAndAddedToAHeldSum(string op)
    {
        // Big enough for the parallel pieces and the accumulating pass's blocks; values with no exact zeros.
        var rng = new Rng(21);
        var x = op == "weightnorm" ? new Tensor(48, 196) : new Tensor(8, 6, 14, 14);
        rng.FillUniform(x.Data, -1, 1);
        x.RequiresGrad = true;
        var w = new Tensor(op == "convtranspose" ? [6, 5, 4, 4] : [5, 6, 4, 4]);
        rng.FillUniform(w.Data, -0.3f, 0.3f);
        var bias = Tensor.FromArray([0.1f, -0.2f, 0.3f, 0.05f, -0.4f], 5);
        var scales = new Tensor(48);
        rng.FillUniform(scales.Data, 0.5f, 2f);
        var (gamma, beta, mean, variance) = (Tensor.FromArray([1.5f, 0.5f, 1f, 2f, 0.7f, 1.2f], 6), new Tensor(6), new Tensor(6), new Tensor(6));
        var weights = new Tensor(x.Shape);                 // a weighted sum as the loss: every dy differs
        rng.FillUniform(weights.Data, -1, 1);
        Tensor Forward() => op switch
        {
            "relu" => Ops.ReLU(x),
            "leaky" => Ops.LeakyReLU(x, 0.2f),
            "tanh" => Ops.Tanh(x),
            "batchnorm" => Ops.BatchNorm(x, gamma, beta, mean, variance, training: true),
            "conv" => Ops.Conv2d(x, w, null, 2, 1),
            "conv-bias" => Ops.Conv2d(x, w, bias, 2, 1),
            "reshape" => Ops.Reshape(Ops.Reshape(x, 8, -1), x.Shape),
            "add" => Ops.Add(x, x),                        // one tensor twice: stored, then added to
            "noise" => Ops.GaussianNoise(x, 0.3f, rng),
            "weightnorm" => Ops.WeightNorm(x, scales),
            "dropout" => Ops.Dropout(x, 0.8f, new Rng(5)),    // the same mask every call
            _ => Ops.ConvTranspose2d(x, w, null, 2, 1),
        };
        var tape = new Tape();
        float[] Backward()
        {
            using (tape.Begin())
            {
                var y = Forward();
                var loss = y.Length == weights.Length ? Ops.Sum(Ops.Multiply(y, weights)) : Ops.Sum(Ops.Scale(y, 0.5f));
                tape.Backward(loss);
            }
            return (float[])x.Grad![..x.Length].Clone();
        }
        float[] fresh = Backward();                        // a new gradient buffer: stored
        Assert.Contains(fresh, v => v != 0);
        float[] twice = Backward();                        // holds the first: added to it
        Assert.Equal(fresh.Select(v => v + v), twice);
        Array.Fill(x.Grad!, float.NaN);                    // stale contents under the mark must not leak in
        x.ZeroGrad();
        Assert.Equal(fresh, Backward());
        int saved = Engine.Threads;
        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Engine.Threads = threads;
                x.ZeroGrad();
                Assert.Equal(fresh, Backward());
            }
        }
        finally { Engine.Threads = saved; }
    }

    private sealed class Growing : Module
    {
        public Tensor Add(string name) => RegisterParameter(name, new Tensor(1));
        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void FreezeTurnsOffWhatWasOnAndRestoresExactlyThat()
    {
        var net = new Growing();
        var a = net.Add("a");
        var b = net.Add("b");
        b.RequiresGrad = false;                      // already off: must stay off afterwards
        using (net.Freeze()) Assert.False(a.RequiresGrad);
        Assert.True(a.RequiresGrad);
        Assert.False(b.RequiresGrad);
        var c = net.Add("c");                        // registered after a Freeze: the next one must see it
        using (net.Freeze())
        {
            Assert.False(c.RequiresGrad);
            using (net.Freeze()) { }                 // nested: nothing left on, nothing to restore early
            Assert.False(a.RequiresGrad);
        }
        Assert.True(a.RequiresGrad && c.RequiresGrad);
        var big = new Sequential([.. Enumerable.Range(0, 40).Select(_ => (Module)new Linear(2, 2))]); // 80 parameters
        using (big.Freeze()) Assert.All(big.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.All(big.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void NoGradScopeRecordsNothing()
    {
        var w = new Tensor(2, 2) { RequiresGrad = true };
        using var tape = new Tape().Begin();
        Tensor y;
        using (tape.NoGrad()) y = Ops.MatMul(w, w);
        Assert.Equal(0, tape.RecordedOps);
        Assert.False(y.RequiresGrad);
        Assert.Throws<ArgumentException>(() => tape.Backward(Ops.Sum(y)));
    }

    [Fact]
    public void OnlyTensorsThatAskGetGradients()
    {
        var x = new Tensor(3, 4);
        var w = new Tensor(5, 4) { RequiresGrad = true };
        using var tape = new Tape().Begin();
        tape.Backward(Ops.Sum(Ops.Linear(x, w, null)));
        Assert.Null(x.Grad);
        Assert.NotNull(w.Grad);
    }

    [Fact]
    public void FrozenModuleStillPassesGradientToItsInput()
    {
        var layer = new Linear(3, 2);
        Init.Constant(layer.Weight, 1f);
        var x = new Tensor(1, 3) { RequiresGrad = true };
        using var tape = new Tape().Begin();
        Tensor loss;
        using (layer.Freeze()) loss = Ops.Sum(layer.Forward(x));
        Assert.True(layer.Weight.RequiresGrad); // restored after the scope
        tape.Backward(loss);
        Assert.Null(layer.Weight.Grad);         // but not computed for the frozen forward
        Assert.Equal([2f, 2f, 2f], x.Grad!);
    }

    [Fact]
    public void IntermediatesAreReleasedWhenTheTapeEnds()
    {
        var w = new Tensor(2, 2) { RequiresGrad = true };
        Tensor y;
        using (new Tape().Begin()) y = Ops.MatMul(w, w);
        var ex = Assert.Throws<ObjectDisposedException>(() => y.Data);
        Assert.Contains("Clone()", ex.Message);
        Tensor kept;
        using (new Tape().Begin()) kept = Ops.MatMul(w, w).Clone();
        Assert.Equal(4, kept.Data.Length);
    }

    [Fact]
    public void ReusedTapeStepStopsAllocatingAfterWarmUp()
    {
        var rng = new Rng(1);
        var net = new Sequential(new Linear(20, 64, Activation.ReLU), new Dropout(0.5f, rng), new Maxout(64, 16, 4), new Linear(16, 1));
        foreach (var p in net.Parameters()) Init.Uniform(p, 0.1f, rng);
        var x = new Tensor(32, 20);
        rng.FillUniform(x.Data, 0, 1);
        var tape = new Tape();
        void Step()
        {
            using (tape.Begin()) tape.Backward(Ops.BinaryCrossEntropyWithLogits(net.Forward(x), 1f));
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // Only small bookkeeping objects remain (tensor headers, closures); no buffer is allocated.
        // The smallest buffer here, 32×16 floats, alone is 2 KiB; a non-pooled step would allocate ~60 KiB.
        Assert.True(perStep < 8 * 1024, $"a warm step allocated {perStep} bytes");
    }
}
