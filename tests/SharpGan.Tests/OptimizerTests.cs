using SharpGan.Optim;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class OptimizerTests
{
    private static (string, Tensor)[] One(float value, float grad, int length = 19)
    {
        var p = new Tensor(length) { RequiresGrad = true };
        Array.Fill(p.Data, value);
        p.Grad = Enumerable.Repeat(grad, length).ToArray();
        return [("p", p)];
    }

    [Fact]
    public void SgdMomentumFollowsThePapersRule()
    {
        // v ← μv − lr·g; θ ← θ + v. With g = 1, lr = 0.1, μ = 0.5: v = −0.1, −0.15, −0.175.
        var ps = One(1f, 1f);
        var sgd = new Sgd(ps, 0.1f, 0.5f);
        float[] expectedTheta = [0.9f, 0.75f, 0.575f];
        foreach (float e in expectedTheta)
        {
            sgd.Step();
            Assert.All(ps[0].Item2.Data, v => Assert.Equal(e, v, 5));
        }
        Assert.Equal(3, sgd.StepCount);
        var velocity = sgd.StateBuffers().Single();
        Assert.Equal("velocity.p", velocity.Name);
        Assert.Equal(-0.175f, velocity.Buffer[0], 5);
    }

    [Fact]
    public void AdamMatchesItsDefinition()
    {
        var ps = One(0.5f, 0.2f);
        var adam = new Adam(ps, 2e-4f, 0.5f, 0.999f);
        double m = 0, v = 0, theta = 0.5;
        for (int t = 1; t <= 5; t++)
        {
            ps[0].Item2.Grad = Enumerable.Repeat(0.2f * t, 19).ToArray();
            adam.Step();
            double g = 0.2 * t;
            m = 0.5 * m + 0.5 * g;
            v = 0.999 * v + 0.001 * g * g;
            theta -= 2e-4 * (m / (1 - Math.Pow(0.5, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
            Assert.All(ps[0].Item2.Data, x => Assert.Equal(theta, x, 6));
        }
    }

    [Fact]
    public void UpdatesAndZeroingOnSeveralThreadsEqualOneElementAtATime()
    {
        // Parameters big enough to be cut into chunks and updated on two threads (one with a ragged last chunk and a
        // scalar tail, one with an odd length), against the same optimiser on one thread and against the rule written
        // out element by element.
        int[] lengths = [70_001, 16 * 1024 * 3, 5];
        (string, Tensor)[] Make(int seed)
        {
            var rng = new Rng((ulong)seed);
            return lengths.Select((n, i) =>
            {
                var p = new Tensor(n) { RequiresGrad = true };
                rng.FillUniform(p.Data, -1, 1);
                p.Grad = new float[n];
                rng.FillUniform(p.Grad, -1, 1);
                return ($"p{i}", p);
            }).ToArray();
        }
        int before = Engine.Threads;
        try
        {
            foreach (bool adam in new[] { false, true })
            {
                var results = new List<float[]>();
                foreach (int threads in new[] { 1, 2 })
                {
                    Engine.Threads = threads;
                    var ps = Make(5);
                    Optimizer opt = adam ? new Adam(ps, 1e-3f, 0.5f, 0.999f) : new Sgd(ps, 0.1f, 0.5f);
                    for (int step = 0; step < 3; step++) opt.Step();
                    results.Add(ps.SelectMany(p => p.Item2.Data).ToArray());
                    opt.ZeroGrad();
                    Assert.All(ps, p => Assert.All(p.Item2.Grad!, g => Assert.Equal(0f, g)));
                }
                Assert.Equal(results[0], results[1]);

                var reference = Make(5);
                foreach (var (_, p) in reference)
                {
                    float[] g = p.Grad!;
                    for (int j = 0; j < p.Length; j++)
                    {
                        float theta = p.Data[j], m = 0, v = 0;
                        for (int t = 1; t <= 3; t++)
                        {
                            if (adam)
                            {
                                m = 0.5f * m + (1 - 0.5f) * g[j];
                                v = 0.999f * v + (1 - 0.999f) * g[j] * g[j];
                                float stepSize = 1e-3f / (1f - MathF.Pow(0.5f, t)), root = MathF.Sqrt(1f - MathF.Pow(0.999f, t));
                                theta -= stepSize * m / (MathF.Sqrt(v) / root + 1e-8f);
                            }
                            else
                            {
                                v = 0.5f * v - 0.1f * g[j];
                                theta += v;
                            }
                        }
                        p.Data[j] = theta;
                    }
                }
                Assert.Equal(reference.SelectMany(p => p.Item2.Data).ToArray(), results[1]);
            }
        }
        finally { Engine.Threads = before; }
    }

    [Fact]
    public void ParametersWithoutGradientsAreLeftAlone()
    {
        var p = new Tensor(3) { RequiresGrad = true };
        new Sgd([("p", p)], 0.1f).Step();
        Assert.Equal([0f, 0f, 0f], p.Data);
    }

    [Fact]
    public void LearningRateDecaysPerUpdateToItsFloor()
    {
        var decay = new ExponentialDecay(0.1f, 1.000004, 1e-6f);
        var sgd = new Sgd(One(0, 0), decay);
        for (int i = 0; i < 1000; i++) sgd.Step();
        double expected = 0.1 / Math.Pow(1.000004, 1000);
        Assert.True(Math.Abs(sgd.LearningRate - expected) <= 1e-7 * expected, $"lr {sgd.LearningRate:R}, expected {expected:R}");
        Assert.Equal(1e-6f, decay.After(10_000_000));
    }

    [Fact]
    public void AnnealPhasesContinueFromTheRateReached()
    {
        var decay = new ExponentialDecay(0.1f, 1.000004, 1e-6f, [(1000, 1.0001), (3000, 1.001)]);
        var single = new ExponentialDecay(0.1f, 1.000004, 1e-6f);
        double atFirst = 0.1f / Math.Pow(1.000004, 1000), atSecond = atFirst / Math.Pow(1.0001, 2000);
        Assert.Equal(single.After(1000), decay.After(1000));               // identical up to the phase
        Assert.Equal((float)(atFirst / 1.0001), decay.After(1001));  // then the new factor, no jump
        Assert.Equal((float)(atSecond / Math.Pow(1.001, 10)), decay.After(3010), 1e-8);
        Assert.Equal(1e-6f, decay.After(20_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, 1, 0, [(10, 1.1), (10, 1.2)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, 1, 0, [(10, 0.5)]));
    }

    [Fact]
    public void MomentumRampsLinearlyBetweenEpochs()
    {
        var ramp = new LinearRamp(0.5f, 0.7f, 1, 250);
        Assert.Equal(0.5f, ramp.ValueAt(0));
        Assert.Equal(0.5f, ramp.ValueAt(1));
        Assert.Equal(0.6f, ramp.ValueAt(125.5), 5);
        Assert.Equal(0.7f, ramp.ValueAt(250));
        Assert.Equal(0.7f, ramp.ValueAt(900));
    }

    [Fact]
    public void InvalidHyperparametersAreRejectedByName()
    {
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(One(0, 0), -0.1f)).ParamName);
        Assert.Equal("Momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(One(0, 0), 0.1f, 1f)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(One(0, 0), 1e-3f, 1.5f)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, 0.9, 0)).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => new LinearRamp(0.5f, 0.7f, 5, 5)).ParamName);
    }

    [Fact]
    public void SchedulesMapOntoTheUpdateClock()
    {
        var ramp = new LinearRamp(0f, 10f, 0, 10);
        // 2 units an update, 5 units a tick: update u reads tick ⌊2u/5⌋.
        Assert.Equal([0, 0, 0, 1, 1, 2, 2], Enumerable.Range(0, 7).Select(u => ramp.InUnits(2, 5).At(u)).ToArray());
        Assert.Equal([0, 0, 0, 3, 3, 3, 6], Enumerable.Range(0, 7).Select(u => ramp.HeldFor(3).At(u)).ToArray());
        Assert.Equal([0, 0, 0, 1, 2], Enumerable.Range(0, 5).Select(u => ramp.Delayed(2).At(u)).ToArray());
        Assert.Equal(2.5, ramp.Times(0.5f).At(5));
        var steps = new PiecewiseConstant(1e-3f, (4, 1e-4f));
        Assert.Equal([1e-3f, 1e-3f, 1e-4f, 1e-4f], new long[] { 0, 3, 4, 9 }.Select(u => (float)steps.At(u)).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PiecewiseConstant(1f, (4, 1f), (4, 2f)));
    }

    [Fact]
    public void TheOptimiserReadsItsSchedulesBeforeEachUpdate()
    {
        var p = new Tensor(1) { RequiresGrad = true };
        p.Grad = [1f];
        var sgd = new Sgd([("p", p)], new PiecewiseConstant(1f, (1, 0.5f)), new PiecewiseConstant(0f, (1, 0.5f)));
        Assert.Equal((1f, 0f), (sgd.LearningRate, sgd.Momentum));
        sgd.Step();                      // v = −1, θ = −1
        Assert.Equal((0.5f, 0.5f), (sgd.LearningRate, sgd.Momentum));
        sgd.Step();                      // v = 0.5·(−1) − 0.5·1 = −1, θ = −2
        Assert.Equal(-2f, p.Data[0]);
        // A schedule that leaves the valid range is refused at the update that would read it.
        var bad = new Sgd([("p", p)], 0.1f, new PiecewiseConstant(0.5f, (1, 1f)));
        bad.Step();
        Assert.Throws<ArgumentOutOfRangeException>(bad.Step);
    }
}
