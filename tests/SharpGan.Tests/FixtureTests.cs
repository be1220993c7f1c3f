using SharpGan.Autograd;
using SharpGan.IO;
using SharpGan.Tensors.Kernels;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Every op's forward and backward against PyTorch (tests/fixtures/make_fixtures.py), to 1e-4 relative.</summary>
public class FixtureTests
{
    private const double Rel = 1e-4;

    private static Tensor Leaf(SafeTensors.Content f, string name)
    {
        var t = f.Tensors[name].Clone();
        t.RequiresGrad = true;
        return t;
    }

    // Runs forward under a tape, feeds the fixture's upstream gradient dy, returns y's values.
    private static float[] ForwardBackward(SafeTensors.Content f, Func<Tensor> forward)
    {
        using var tape = new Tape().Begin();
        var y = forward();
        var loss = Ops.Sum(Ops.Multiply(y, f.Tensors["dy"]));
        tape.Backward(loss);
        return (float[])y.Data.Clone();
    }

    [Theory]
    [InlineData("identity", Activation.Identity)]
    [InlineData("relu", Activation.ReLU)]
    [InlineData("leakyrelu", Activation.LeakyReLU)]
    [InlineData("sigmoid", Activation.Sigmoid)]
    [InlineData("tanh", Activation.Tanh)]
    public void LinearWithActivation(string name, Activation activation)
    {
        var f = TestUtil.Fixture("linear_" + name);
        Tensor x = Leaf(f, "x"), w = Leaf(f, "weight"), b = Leaf(f, "bias");
        var y = ForwardBackward(f, () => Ops.Linear(x, w, b, activation, 0.2f));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, Rel, "dx");
        TestUtil.AssertClose(f.Tensors["dweight"].Data, w.Grad, Rel, "dweight");
        TestUtil.AssertClose(f.Tensors["dbias"].Data, b.Grad, Rel, "dbias");
    }

    [Theory]
    [InlineData("nn", false, false)]
    [InlineData("nt", false, true)]
    [InlineData("tn", true, false)]
    [InlineData("tt", true, true)]
    public void MatMulTransposes(string name, bool ta, bool tb)
    {
        var f = TestUtil.Fixture("matmul_" + name);
        Tensor a = Leaf(f, "a"), b = Leaf(f, "b");
        var y = ForwardBackward(f, () => Ops.MatMul(a, b, ta, tb));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["da"].Data, a.Grad, Rel, "da");
        TestUtil.AssertClose(f.Tensors["db"].Data, b.Grad, Rel, "db");
    }

    [Fact]
    public void Maxout()
    {
        var f = TestUtil.Fixture("maxout");
        Tensor x = Leaf(f, "x"), w = Leaf(f, "weight"), b = Leaf(f, "bias");
        var y = ForwardBackward(f, () => Ops.Maxout(x, w, b, units: 3, pieces: 4));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, Rel, "dx");
        TestUtil.AssertClose(f.Tensors["dweight"].Data, w.Grad, Rel, "dweight");
        TestUtil.AssertClose(f.Tensors["dbias"].Data, b.Grad, Rel, "dbias");
    }

    [Fact]
    public void DropoutWithMask()
    {
        var f = TestUtil.Fixture("dropout");
        var x = Leaf(f, "x");
        var y = ForwardBackward(f, () => Ops.DropoutWithMask(x, f.Tensors["mask"], 0.8f));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, Rel, "dx");
    }

    [Fact]
    public void BinaryCrossEntropyFromLogitsIncludingExtremes()
    {
        var f = TestUtil.Fixture("bce");
        var logits = Leaf(f, "logits");
        float loss;
        using (var tape = new Tape().Begin())
        {
            var l = Ops.BinaryCrossEntropyWithLogits(logits, f.Tensors["targets"]);
            loss = l.Item();
            tape.Backward(l);
        }
        TestUtil.AssertClose(f.Tensors["loss"].Data, [loss], Rel, "loss");
        TestUtil.AssertClose(f.Tensors["dlogits"].Data, logits.Grad, Rel, "dlogits");
    }

    /// <summary>
    /// One discriminator step and one non-saturating generator step of a small GAN with the paper's layer
    /// types (ReLU/sigmoid MLP G; maxout D with input and hidden dropout), parameter gradients against PyTorch.
    /// </summary>
    [Fact]
    public void PaperShapedGanStepGradients()
    {
        var f = TestUtil.Fixture("paper_gan_small");
        int m = 6;
        var p = f.Tensors.Where(kv => kv.Key.StartsWith("g.") || kv.Key.StartsWith("d.")).ToDictionary(kv => kv.Key, kv => Leaf(f, kv.Key));
        Tensor Generator(Tensor z)
        {
            var h = Ops.Linear(z, p["g.0.weight"], p["g.0.bias"], Activation.ReLU);
            h = Ops.Linear(h, p["g.1.weight"], p["g.1.bias"], Activation.ReLU);
            return Ops.Linear(h, p["g.2.weight"], p["g.2.bias"], Activation.Sigmoid);
        }
        Tensor Mask(string name, int start, int rows) => Ops.SliceRows(f.Tensors[name], start, rows);
        Tensor Discriminator(Tensor x, int start)
        {
            int rows = x.Shape[0];
            var h = Ops.DropoutWithMask(x, Mask("mask.in", start, rows), 0.8f);
            h = Ops.DropoutWithMask(Ops.Maxout(h, p["d.0.weight"], p["d.0.bias"], 8, 3), Mask("mask.h1", start, rows), 0.5f);
            h = Ops.DropoutWithMask(Ops.Maxout(h, p["d.1.weight"], p["d.1.bias"], 8, 3), Mask("mask.h2", start, rows), 0.5f);
            return Ops.Linear(h, p["d.2.weight"], p["d.2.bias"]);
        }
        var dParams = p.Where(kv => kv.Key.StartsWith("d.")).Select(kv => kv.Value).ToArray();
        var gParams = p.Where(kv => kv.Key.StartsWith("g.")).Select(kv => kv.Value).ToArray();

        // D step: G runs without recording; the batch is real rows then fake rows.
        using (var tape = new Tape().Begin())
        {
            Tensor fake;
            using (tape.NoGrad()) fake = Generator(f.Tensors["z"]);
            TestUtil.AssertClose(f.Tensors["fake"].Data, fake.Data, Rel, "G(z)");
            var logits = Discriminator(Ops.Concat(0, f.Tensors["real"], fake), 0);
            TestUtil.AssertClose(f.Tensors["d_logits"].Data, logits.Data, Rel, "D logits");
            var loss = Ops.Scale(Ops.Add(
                Ops.BinaryCrossEntropyWithLogits(Ops.SliceRows(logits, 0, m), 1f),
                Ops.BinaryCrossEntropyWithLogits(Ops.SliceRows(logits, m, m), 0f)), 0.5f);
            TestUtil.AssertClose(f.Tensors["d_loss"].Data, loss.Data, Rel, "D loss");
            tape.Backward(loss);
        }
        Assert.All(gParams, g => Assert.Null(g.Grad)); // the D step never computes G gradients
        foreach (var (name, t) in p.Where(kv => kv.Key.StartsWith("d.")))
            TestUtil.AssertClose(f.Tensors["grad_dstep." + name].Data, t.Grad, Rel, "D-step grad " + name);

        // G step: D frozen, gradients flow through it into G only.
        foreach (var t in dParams) t.Grad = null;
        using (var tape = new Tape().Begin())
        {
            foreach (var t in dParams) t.RequiresGrad = false;
            var loss = Ops.BinaryCrossEntropyWithLogits(Discriminator(Generator(f.Tensors["z"]), m), 1f);
            foreach (var t in dParams) t.RequiresGrad = true;
            TestUtil.AssertClose(f.Tensors["g_loss"].Data, loss.Data, Rel, "G loss");
            tape.Backward(loss);
        }
        Assert.All(dParams, d => Assert.Null(d.Grad));
        foreach (var (name, t) in p.Where(kv => kv.Key.StartsWith("g.")))
            TestUtil.AssertClose(f.Tensors["grad_gstep." + name].Data, t.Grad, Rel, "G-step grad " + name);
    }

    [Fact]
    public void LinearWithSoftplus()
    {
        var f = TestUtil.Fixture("linear_softplus");
        Tensor x = Leaf(f, "x"), w = Leaf(f, "weight"), b = Leaf(f, "bias");
        var y = ForwardBackward(f, () => Ops.Linear(x, w, b, Activation.Softplus));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, Rel, "dx");
        TestUtil.AssertClose(f.Tensors["dweight"].Data, w.Grad, Rel, "dweight");
        TestUtil.AssertClose(f.Tensors["dbias"].Data, b.Grad, Rel, "dbias");
    }

    [Fact]
    public void WeightNormalisedLinear()
    {
        var f = TestUtil.Fixture("weight_norm");
        Tensor x = Leaf(f, "x"), v = Leaf(f, "v"), g = Leaf(f, "g"), b = Leaf(f, "bias");
        var y = ForwardBackward(f, () => Ops.Linear(x, Ops.WeightNorm(v, g), b, Activation.ReLU));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, Rel, "dx");
        TestUtil.AssertClose(f.Tensors["dv"].Data, v.Grad, Rel, "dv");
        TestUtil.AssertClose(f.Tensors["dg"].Data, g.Grad, Rel, "dg");
        TestUtil.AssertClose(f.Tensors["dbias"].Data, b.Grad, Rel, "dbias");
    }

    [Fact]
    public void LogSumExpOfRows()
    {
        var f = TestUtil.Fixture("logsumexp");
        var x = Leaf(f, "x");
        var y = ForwardBackward(f, () => Ops.LogSumExpRows(x));
        TestUtil.AssertClose(f.Tensors["y"].Data, y, Rel, "y");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, Rel, "dx");
    }

    [Fact]
    public void SemiSupervisedDiscriminatorLoss()
    {
        var f = TestUtil.Fixture("semi_discriminator_loss");
        Tensor lab = Leaf(f, "labelled"), unl = Leaf(f, "unlabelled"), fake = Leaf(f, "fake");
        byte[] labels = f.Tensors["labels"].Data.Select(v => (byte)v).ToArray();
        using var tape = new Tape().Begin();
        var loss = Gan.SemiSupervisedLosses.Discriminator(lab, labels, unl, fake);
        tape.Backward(loss);
        TestUtil.AssertClose(f.Tensors["loss"].Data, loss.Data, Rel, "loss");
        TestUtil.AssertClose(f.Tensors["dlabelled"].Data, lab.Grad, Rel, "dlabelled");
        TestUtil.AssertClose(f.Tensors["dunlabelled"].Data, unl.Grad, Rel, "dunlabelled");
        TestUtil.AssertClose(f.Tensors["dfake"].Data, fake.Grad, Rel, "dfake");
    }

    [Fact]
    public void FeatureMatchingLoss()
    {
        var f = TestUtil.Fixture("feature_matching");
        Tensor real = Leaf(f, "real"), fake = Leaf(f, "fake");
        using var tape = new Tape().Begin();
        var loss = Gan.SemiSupervisedLosses.FeatureMatching(real, fake);
        tape.Backward(loss);
        TestUtil.AssertClose(f.Tensors["loss"].Data, loss.Data, Rel, "loss");
        TestUtil.AssertClose(f.Tensors["dreal"].Data, real.Grad, Rel, "dreal");
        TestUtil.AssertClose(f.Tensors["dfake"].Data, fake.Grad, Rel, "dfake");
    }
}
