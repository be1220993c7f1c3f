using SharpGan.Autograd;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class CrossEntropyTests
{
    [Fact]
    public void MatchesPyTorchIncludingAnExtremeLogit()
    {
        var f = TestUtil.Fixture("cross_entropy");
        var logits = f.Tensors["logits"].Clone();
        logits.RequiresGrad = true;
        byte[] labels = f.Tensors["labels"].Data.Select(v => (byte)v).ToArray();
        using (var tape = new Tape().Begin())
        {
            var loss = Ops.SoftmaxCrossEntropy(logits, labels);
            TestUtil.AssertClose(f.Tensors["loss"].Data, loss.Data, 1e-4, "loss");
            tape.Backward(loss);
        }
        TestUtil.AssertClose(f.Tensors["dlogits"].Data, logits.Grad, 1e-4, "dlogits");
    }

    [Fact]
    public void FiniteDifferencesAndBadLabels()
    {
        var logits = TestUtil.Random(new Rng(4), 2, 5, 4);
        byte[] labels = [0, 3, 2, 1, 3];
        TestUtil.CheckGradients(() => Ops.SoftmaxCrossEntropy(logits, labels), [logits], eps: 1e-2f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.SoftmaxCrossEntropy(new Tensor(2, 4), [0, 4]));
        Assert.Throws<ArgumentException>(() => Ops.SoftmaxCrossEntropy(new Tensor(2, 4), [0]));
    }
}
