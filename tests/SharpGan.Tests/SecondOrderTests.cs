using SharpGan.Autograd;
using SharpGan.IO;
using SharpGan.Tensors;
using SharpGan.Tensors.Kernels;
using Xunit;

namespace SharpGan.Tests;

/// <summary>
/// Gradients of gradients against PyTorch (tests/fixtures/make_second_order_fixtures.py: torch.autograd.grad with
/// create_graph=True) and against finite differences: for each case the loss's gradient with respect to every leaf,
/// a penalty made from those gradients, and the penalty's gradient with respect to every leaf.
/// </summary>
public class SecondOrderTests
{
    private const double Rel = 2e-4;

    private delegate Tensor Loss(Func<string, Tensor> get);

    private delegate Tensor Penalty(IReadOnlyDictionary<string, Tensor> gradients);

    // Σ over leaves of ‖∂loss/∂leaf‖², the fixtures' default penalty.
    private static Tensor SquaredNorms(IReadOnlyDictionary<string, Tensor> g) =>
        g.Values.Select(t => Ops.Sum(Ops.Multiply(t, t))).Aggregate(Ops.Add);

    // WGAN-GP: mean over rows of (‖∂D/∂x_row‖ − 1)².
    private static Tensor GradientPenalty(Tensor g) =>
        Ops.Mean(Ops.Pow(Ops.AddScalar(Ops.RowNorm(g), -1f), 2f));

    private static void Check(string name, Loss loss, Penalty? penalty = null)
    {
        var f = TestUtil.Fixture("second_order_" + name);
        string[] leafNames = [.. f.Tensors.Keys.Where(k => f.Tensors.ContainsKey("g_" + k)).Order()];
        var leaves = leafNames.ToDictionary(n => n, n =>
        {
            var t = f.Tensors[n].Clone();
            t.RequiresGrad = true;
            return t;
        });
        Tensor Get(string key) => leaves.TryGetValue(key, out var leaf) ? leaf : f.Tensors["const_" + key];
        using var tape = new Tape().Begin(secondOrder: true);
        var l = loss(Get);
        TestUtil.AssertClose(f.Tensors["loss"].Data, l.Data, Rel, name + " loss");
        var grads = tape.Gradients(l, [.. leafNames.Select(n => leaves[n])], createGraph: true);
        var g = leafNames.Zip(grads).ToDictionary(p => p.First, p => p.Second);
        foreach (string n in leafNames) TestUtil.AssertClose(f.Tensors["g_" + n].Data, g[n].Data, Rel, $"{name} ∂loss/∂{n}");
        var p = (penalty ?? SquaredNorms)(g);
        TestUtil.AssertClose(f.Tensors["penalty"].Data, p.Data, Rel, name + " penalty");
        tape.Backward(p);
        foreach (string n in leafNames)
            TestUtil.AssertClose(f.Tensors["dP_" + n].Data, leaves[n].Grad ?? new float[leaves[n].Length], Rel, $"{name} ∂penalty/∂{n}");
    }

    private static Tensor Weighted(Tensor y, Tensor c) => Ops.Sum(Ops.Multiply(y, c));

    [Theory]
    [InlineData("identity", Activation.Identity)]
    [InlineData("relu", Activation.ReLU)]
    [InlineData("leakyrelu", Activation.LeakyReLU)]
    [InlineData("sigmoid", Activation.Sigmoid)]
    [InlineData("tanh", Activation.Tanh)]
    public void LinearWithEachActivation(string name, Activation activation) =>
        Check("linear_" + name, t => Weighted(Ops.Linear(t("x"), t("w"), t("b"), activation, 0.2f), t("c")));

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void MatMulInEveryTranspose(bool ta, bool tb) =>
        Check($"matmul_{(ta ? 1 : 0)}{(tb ? 1 : 0)}", t => Weighted(Ops.Tanh(Ops.MatMul(t("a"), t("b"), ta, tb)), t("c")));

    [Fact]
    public void Maxout() => Check("maxout", t => Weighted(Ops.Tanh(Ops.Maxout(t("x"), t("w"), t("b"), units: 3, pieces: 4)), t("c")));

    [Theory]
    [InlineData("conv2d", 1)]
    [InlineData("conv2d_unread", 0)]
    public void Conv2d(string name, int padding) =>
        Check(name, t => Weighted(Ops.Tanh(Ops.Conv2d(t("x"), t("w"), t("b"), stride: 2, padding: padding)), t("c")));

    [Fact]
    public void ConvTranspose2d() =>
        Check("convt", t => Weighted(Ops.Tanh(Ops.ConvTranspose2d(t("x"), t("w"), t("b"), stride: 2, padding: 1)), t("c")));

    [Fact]
    public void BinaryCrossEntropyWithLogits() =>
        Check("bce", t => Ops.BinaryCrossEntropyWithLogits(Ops.Linear(t("x"), t("w"), t("b")), t("t")));

    [Fact]
    public void PointwiseChain() =>
        Check("pointwise", t => Ops.Add(Weighted(Ops.Sigmoid(Ops.Add(Ops.Multiply(t("a"), t("b")), Ops.Scale(t("a"), 0.5f))), t("c")), Ops.Mean(t("a"))));

    [Fact]
    public void ConcatSliceAndReshape() => Check("concat", t =>
    {
        var z = Ops.Concat(1, t("x"), t("y"));
        return Ops.Add(Ops.Add(
            Weighted(Ops.Tanh(Ops.MatMul(z, t("w"), transposeB: true)), t("c")),
            Weighted(Ops.Tanh(Ops.SliceColumns(z, 2, 4)), t("c2"))),
            Weighted(Ops.Tanh(Ops.Reshape(t("x"), 2, 10)), t("c3")));
    });

    [Theory]
    [InlineData("batchnorm_train", true)]
    [InlineData("batchnorm_eval", false)]
    public void BatchNorm(string name, bool training) => Check(name, t => Weighted(Ops.Tanh(
        Ops.BatchNorm(t("x"), t("gamma"), t("beta"), t("running_mean").Clone(), t("running_var").Clone(), training)), t("c")));

    [Fact]
    public void WassersteinGradientPenaltyThroughThePaperDiscriminator() => Check("wgan_gp_maxout", t =>
    {
        var h = Ops.DropoutWithMask(t("x"), t("mask_in"), 0.8f);
        h = Ops.DropoutWithMask(Ops.Maxout(h, t("w1"), t("b1"), units: 4, pieces: 3), t("mask_hidden"), 0.5f);
        return Ops.Sum(Ops.Linear(h, t("w2"), t("b2")));
    }, g => GradientPenalty(g["x"]));

    [Fact]
    public void R1ThroughAConvolutionalDiscriminator() => Check("r1_conv", t =>
    {
        var h = Ops.LeakyReLU(Ops.Conv2d(t("x"), t("w1"), t("b1"), stride: 2, padding: 1), 0.2f);
        return Ops.Sum(Ops.Conv2d(h, t("w2"), t("b2")));
    }, g => Ops.Mean(Ops.RowSum(Ops.Multiply(g["x"], g["x"]))));

    [Fact]
    public void TanhDifferentiatesToTheThirdOrder()
    {
        // tanh′ = 1 − t², tanh″ = −2t(1 − t²), tanh‴ = −2(1 − t²)(1 − 3t²) with t = tanh x.
        var x = Tensor.FromArray([-1.5f, -0.3f, 0f, 0.4f, 2f], 5);
        x.RequiresGrad = true;
        using var tape = new Tape().Begin(secondOrder: true);
        var y = Ops.Sum(Ops.Tanh(x));
        var d1 = tape.Gradients(y, [x], createGraph: true)[0];
        var d2 = tape.Gradients(Ops.Sum(d1), [x], createGraph: true)[0];
        var d3 = tape.Gradients(Ops.Sum(d2), [x])[0];
        for (int i = 0; i < 5; i++)
        {
            double t = Math.Tanh(x.Data[i]);
            Assert.Equal(1 - t * t, d1.Data[i], 1e-6);
            Assert.Equal(-2 * t * (1 - t * t), d2.Data[i], 1e-6);
            Assert.Equal(-2 * (1 - t * t) * (1 - 3 * t * t), d3.Data[i], 1e-5);
        }
    }

    [Fact]
    public void PenaltyGradientMatchesFiniteDifferences()
    {
        // A two-layer net with every op kind a DCGAN D uses: the R1 penalty's gradient with respect to the weights,
        // against central differences of the penalty computed by Gradients without a graph.
        var rng = new Rng(4);
        Tensor Randn(float scale, params int[] shape)
        {
            var t = new Tensor(shape);
            rng.FillGaussian(t.Data, 0f, scale);
            return t;
        }
        Tensor x = Randn(1f, 2, 1, 6, 6), w1 = Randn(0.4f, 3, 1, 3, 3), b1 = Randn(0.1f, 3), w2 = Randn(0.3f, 1, 3 * 3 * 3);
        x.RequiresGrad = true;
        Tensor Penalty(Tape tape)
        {
            var h = Ops.Tanh(Ops.Conv2d(x, w1, b1, stride: 2, padding: 1));
            var d = Ops.Sum(Ops.Sigmoid(Ops.MatMul(Ops.Reshape(h, 2, -1), w2, transposeB: true)));
            var g = tape.Gradients(d, [x], createGraph: true)[0];
            return Ops.Mean(Ops.RowSum(Ops.Multiply(g, g)));
        }
        TestUtil.CheckGradients(() => Penalty(Tape.Current!), [w1, b1, w2], eps: 1e-2f, tolerance: 2e-2, secondOrder: true);
    }

    [Fact]
    public void GradientsRefusesWhatItCannotDo()
    {
        var x = Tensor.FromArray([1f, 2f], 1, 2);
        x.RequiresGrad = true;
        using (var tape = new Tape().Begin())
        {
            var y = Ops.Sum(Ops.Tanh(x));
            Assert.Contains("secondOrder: true", Assert.Throws<InvalidOperationException>(() => tape.Gradients(y, [x])).Message);
        }
        using (var tape = new Tape().Begin(secondOrder: true))
        {
            var y = Ops.SoftmaxCrossEntropy(Ops.Scale(x, 1f), [1]);
            Assert.Contains("SoftmaxCrossEntropy has no second-order backward", Assert.Throws<NotSupportedException>(() => tape.Gradients(y, [x])).Message);
            // The first-order backward of the same recording still works: softmax([1, 2]) − one-hot(1).
            tape.Backward(y);
            Assert.Equal(1 / (1 + Math.E), x.Grad![0], 1e-6);
            Assert.Equal(-1 / (1 + Math.E), x.Grad![1], 1e-6);
        }
    }

    [Fact]
    public void GradientsWithoutAGraphLeaveTheRecordingForBackward()
    {
        var x = Tensor.FromArray([0.5f, -1f, 2f], 3);
        x.RequiresGrad = true;
        using var tape = new Tape().Begin(secondOrder: true);
        var y = Ops.Sum(Ops.Multiply(x, x));
        var g = tape.Gradients(y, [x])[0];
        Assert.Equal([1f, -2f, 4f], g.Data);
        Assert.False(g.RequiresGrad);
        Assert.Null(x.Grad); // returned, not accumulated
        tape.Backward(y);
        Assert.Equal([1f, -2f, 4f], x.Grad);
    }
}
