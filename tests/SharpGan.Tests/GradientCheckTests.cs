using SharpGan.Autograd;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Finite-difference checks of every op and layer: loss = Σ y ⊙ r for a fixed random r.</summary>
public class GradientCheckTests
{
    private readonly Rng _rng = new(42);

    private Func<Tensor> Weighted(Func<Tensor> f)
    {
        Tensor? r = null;
        return () =>
        {
            var y = f();
            r ??= TestUtil.Random(_rng, 1f, y.Shape);
            return Ops.Sum(Ops.Multiply(y, r));
        };
    }

    [Fact]
    public void TheOpsBackwardPassesAreWrittenIn()
    {
        // The ops that second-order backward passes are made of, each with its own first-order backward checked here
        // (their second-order ones are checked against PyTorch in SecondOrderTests).
        Tensor x = TestUtil.Random(_rng, 1, 3, 4), v = TestUtil.Random(_rng, 1, 4), s = TestUtil.Random(_rng, 1, 1);
        Tensor image = TestUtil.Random(_rng, 1, 2, 3, 5, 5), planes = TestUtil.Random(_rng, 1, 3);
        TestUtil.CheckGradients(Weighted(() => Ops.ChannelSum(image)), [image], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.BroadcastChannels(planes, [2, 3, 5, 5])), [planes], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.BroadcastChannels(v, [3, 4])), [v], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.Fill(s, [3, 4], 0.5f)), [s], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.ScaleBy(x, s)), [x, s], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.AddScalar(x, 0.7f)), [x], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.Polynomial(x, 0.5f, -1f, 2f, 0.25f)), [x], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.Narrow(image, 1, 1, 2)), [image], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.RowNorm(image)), [image], eps: 1e-3f);
        Tensor positive = TestUtil.Random(_rng, 1, 3, 4);
        for (int i = 0; i < positive.Length; i++) positive.Data[i] = 0.5f + Math.Abs(positive.Data[i]);
        TestUtil.CheckGradients(Weighted(() => Ops.Pow(positive, 1.5f)), [positive], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.ReciprocalOrZero(positive)), [positive], eps: 1e-3f);
        int[] index = [5, 0, 11, 5, 3];
        Tensor few = TestUtil.Random(_rng, 1, 5);
        TestUtil.CheckGradients(Weighted(() => Ops.Gather(x, index, [5])), [x], eps: 1e-3f);
        TestUtil.CheckGradients(Weighted(() => Ops.Scatter(few, index, [3, 4])), [few], eps: 1e-3f);
        // A convolution's two gradients as ops: 7×7 input, 3×3 kernel, stride 2, padding 1 → 4×4.
        Tensor input = TestUtil.Random(_rng, 1, 2, 3, 7, 7), w = TestUtil.Random(_rng, 0.5f, 4, 3, 3, 3), dy = TestUtil.Random(_rng, 1, 2, 4, 4, 4);
        TestUtil.CheckGradients(Weighted(() => Ops.Conv2dInputGradient(dy, w, 7, 7, 2, 1)), [dy, w], eps: 1e-2f);
        TestUtil.CheckGradients(Weighted(() => Ops.Conv2dWeightGradient(input, dy, 3, 3, 2, 1)), [input, dy], eps: 1e-2f);
        Assert.Equal(0f, Ops.ReciprocalOrZero(Tensor.FromArray([0f], 1)).Data[0]);
    }

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.LeakyReLU)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    public void LinearFused(Activation activation)
    {
        Tensor x = TestUtil.Random(_rng, 1, 4, 6), w = TestUtil.Random(_rng, 0.5f, 5, 6), b = TestUtil.Random(_rng, 0.5f, 5);
        TestUtil.CheckGradients(Weighted(() => Ops.Linear(x, w, b, activation)), [x, w, b], eps: 1e-3f);
    }

    [Theory]
    [InlineData(Activation.ReLU)]
    [InlineData(Activation.LeakyReLU)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Tanh)]
    public void StandaloneActivation(Activation activation)
    {
        var x = TestUtil.Random(_rng, 1, 3, 7);
        TestUtil.CheckGradients(Weighted(() => Ops.Activate(x, activation)), [x], eps: 1e-3f);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMul(bool ta, bool tb)
    {
        Tensor a = TestUtil.Random(_rng, 1, ta ? 5 : 3, ta ? 3 : 5), b = TestUtil.Random(_rng, 1, tb ? 4 : 5, tb ? 5 : 4);
        TestUtil.CheckGradients(Weighted(() => Ops.MatMul(a, b, ta, tb)), [a, b]);
    }

    [Fact]
    public void Maxout()
    {
        Tensor x = TestUtil.Random(_rng, 1, 4, 6), w = TestUtil.Random(_rng, 1, 3 * 5, 6), b = TestUtil.Random(_rng, 1, 15);
        TestUtil.CheckGradients(Weighted(() => Ops.Maxout(x, w, b, 3, 5)), [x, w, b], eps: 1e-3f);
    }

    [Fact]
    public void ElementwiseAndShapeOps()
    {
        Tensor a = TestUtil.Random(_rng, 1, 4, 3), c = TestUtil.Random(_rng, 1, 4, 3), bias = TestUtil.Random(_rng, 1, 3);
        TestUtil.CheckGradients(Weighted(() => Ops.Add(a, c)), [a, c]);
        TestUtil.CheckGradients(Weighted(() => Ops.Multiply(a, c)), [a, c]);
        TestUtil.CheckGradients(Weighted(() => Ops.Scale(a, -1.7f)), [a]);
        TestUtil.CheckGradients(Weighted(() => Ops.AddBias(a, bias)), [a, bias]);
        TestUtil.CheckGradients(Weighted(() => Ops.Reshape(a, 2, -1)), [a]);
        TestUtil.CheckGradients(Weighted(() => Ops.Concat(0, a, c)), [a, c]);
        TestUtil.CheckGradients(Weighted(() => Ops.Concat(1, a, c)), [a, c]);
        TestUtil.CheckGradients(Weighted(() => Ops.SliceRows(a, 1, 2)), [a]);
        TestUtil.CheckGradients(Weighted(() => Ops.SliceColumns(a, 1, 2)), [a]);
        TestUtil.CheckGradients(Weighted(() => Ops.Concat(1, Ops.SliceColumns(a, 2, 1), Ops.SliceColumns(a, 0, 2))), [a]);
        TestUtil.CheckGradients(() => Ops.Mean(a), [a]);
        TestUtil.CheckGradients(() => Ops.Sum(a), [a]);
    }

    [Fact]
    public void DropoutWithMaskAndBce()
    {
        var x = TestUtil.Random(_rng, 1, 5, 4);
        var mask = new Tensor(5, 4);
        for (int i = 0; i < mask.Length; i++) mask.Data[i] = _rng.NextFloat() < 0.5f ? 1 : 0;
        TestUtil.CheckGradients(Weighted(() => Ops.DropoutWithMask(x, mask, 0.5f)), [x]);
        var logits = TestUtil.Random(_rng, 3, 8, 1);
        var targets = new Tensor(8, 1);
        for (int i = 0; i < 8; i++) targets.Data[i] = i % 2;
        TestUtil.CheckGradients(() => Ops.BinaryCrossEntropyWithLogits(logits, targets), [logits]);
    }

    [Fact]
    public void LayersThroughModules()
    {
        var rng = new Rng(5);
        var net = new Sequential(new Linear(6, 8, Activation.ReLU), new Maxout(8, 4, 3), new Linear(4, 2, Activation.Tanh));
        foreach (var p in net.Parameters()) Init.Normal(p, 0.5f, rng);
        var x = TestUtil.Random(_rng, 1, 3, 6);
        TestUtil.CheckGradients(Weighted(() => net.Forward(x)), [x, .. net.Parameters()], eps: 1e-3f);
    }

    [Fact]
    public void SemiSupervisedPieces()
    {
        Tensor x = TestUtil.Random(_rng, 1, 4, 5), v = TestUtil.Random(_rng, 1, 3, 5), g = TestUtil.Random(_rng, 1, 3), b = TestUtil.Random(_rng, 1, 3);
        TestUtil.CheckGradients(Weighted(() => Ops.Linear(x, Ops.WeightNorm(v, g), b, Activation.Softplus)), [x, v, g, b]);
        TestUtil.CheckGradients(Weighted(() => Ops.LogSumExpRows(x)), [x]);
        TestUtil.CheckGradients(Weighted(() => Ops.ColumnMeans(x)), [x]);
        // The noise is drawn from a fresh Rng each time, so the finite differences see the same ε.
        TestUtil.CheckGradients(Weighted(() => Ops.GaussianNoise(x, 0.5f, new Rng(9))), [x]);
        Tensor lab = TestUtil.Random(_rng, 1, 3, 4), unl = TestUtil.Random(_rng, 1, 2, 4), fake = TestUtil.Random(_rng, 1, 2, 4);
        TestUtil.CheckGradients(() => Gan.SemiSupervisedLosses.Discriminator(lab, [0, 3, 1], unl, fake, 0.7f), [lab, unl, fake]);
        Tensor real = TestUtil.Random(_rng, 1, 3, 4), gen = TestUtil.Random(_rng, 1, 3, 4);
        TestUtil.CheckGradients(() => Gan.SemiSupervisedLosses.FeatureMatching(real, gen), [real, gen]);
    }
}
