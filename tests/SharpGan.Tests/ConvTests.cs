using SharpGan.Autograd;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Conv2d and ConvTranspose2d against PyTorch (1e-4 relative) and finite differences.</summary>
public class ConvTests
{
    [Theory]
    [InlineData("conv2d_odd", false, 2, 1)]
    [InlineData("conv2d_dcgan_in", false, 2, 1)]
    [InlineData("conv2d_dcgan_out", false, 1, 0)]
    [InlineData("convt_odd", true, 2, 1)]
    [InlineData("convt_dcgan_in", true, 1, 0)]
    [InlineData("convt_dcgan_up", true, 2, 1)]
    public void MatchesPyTorch(string name, bool transposed, int stride, int padding)
    {
        var f = TestUtil.Fixture(name);
        Tensor Leaf(string key) { var t = f.Tensors[key].Clone(); t.RequiresGrad = true; return t; }
        Tensor x = Leaf("x"), w = Leaf("weight"), b = Leaf("bias");
        using (var tape = new Tape().Begin())
        {
            var y = transposed ? Ops.ConvTranspose2d(x, w, b, stride, padding) : Ops.Conv2d(x, w, b, stride, padding);
            Assert.Equal(f.Tensors["y"].Shape, y.Shape);
            TestUtil.AssertClose(f.Tensors["y"].Data, y.Data, 1e-4, "y");
            tape.Backward(Ops.Sum(Ops.Multiply(y, f.Tensors["dy"])));
        }
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, 1e-4, "dx");
        TestUtil.AssertClose(f.Tensors["dweight"].Data, w.Grad, 1e-4, "dweight");
        TestUtil.AssertClose(f.Tensors["dbias"].Data, b.Grad, 1e-4, "dbias");
    }

    [Theory]
    [InlineData(false, 1, 0)]
    [InlineData(false, 2, 1)]
    [InlineData(true, 2, 1)]
    [InlineData(true, 1, 0)]
    public void FiniteDifferences(bool transposed, int stride, int padding)
    {
        var rng = new Rng(21);
        var x = TestUtil.Random(rng, 1, 2, 3, 5, 4);
        var w = TestUtil.Random(rng, 0.5f, transposed ? 3 : 2, transposed ? 2 : 3, 3, 3);
        var b = TestUtil.Random(rng, 0.5f, 2);
        Tensor? r = null;
        Tensor Loss()
        {
            var y = transposed ? Ops.ConvTranspose2d(x, w, b, stride, padding) : Ops.Conv2d(x, w, b, stride, padding);
            r ??= TestUtil.Random(new Rng(5), 1, y.Shape);
            return Ops.Sum(Ops.Multiply(y, r));
        }
        TestUtil.CheckGradients(Loss, [x, w, b], eps: 1e-2f);
    }

    // 11 images of 13×13 (conv) or 6×7 (transposed): the batch-innermost layout transposes 8×8 tiles and the ragged
    // rest one by one. Each image must get what it gets alone, bit for bit for y and dx (the same terms in the same
    // order); dW sums over the batch in another order, so to rounding.
    [Theory]
    [InlineData(false, 2, 1)]
    [InlineData(false, 1, 0)]
    [InlineData(true, 2, 1)]
    [InlineData(true, 1, 0)]
    public void ABatchGivesEachImageWhatItGetsAlone(bool transposed, int stride, int padding)
    {
        var rng = new Rng(33);
        const int n = 11;
        var x = transposed ? TestUtil.Random(rng, 1, n, 5, 6, 7) : TestUtil.Random(rng, 1, n, 3, 13, 13);
        var w = transposed ? TestUtil.Random(rng, 0.5f, 5, 4, 4, 4) : TestUtil.Random(rng, 0.5f, 9, 3, 4, 4);
        Tensor Conv(Tensor input) => transposed ? Ops.ConvTranspose2d(input, w, null, stride, padding) : Ops.Conv2d(input, w, null, stride, padding);
        (float[] Y, float[] Dx, float[] Dw) Run(Tensor input, Tensor dyAll, int first)
        {
            var leaf = input.Clone();
            leaf.RequiresGrad = true;
            w.RequiresGrad = true;
            w.Grad = null;
            float[] y;
            using (var tape = new Tape().Begin())
            {
                var output = Conv(leaf);
                y = output.Data.ToArray();
                var dy = Tensor.FromArray(dyAll.Data.AsSpan(first * output.RowLength, output.Length).ToArray(), output.Shape);
                tape.Backward(Ops.Sum(Ops.Multiply(output, dy)));
            }
            return (y, leaf.Grad!.ToArray(), w.Grad!.ToArray());
        }
        int outLength;
        using (new Tape().Begin()) outLength = Conv(x).Length;
        var dyAll = TestUtil.Random(new Rng(4), 1, outLength);
        var batch = Run(x, dyAll, 0);
        var dwSum = new float[batch.Dw.Length];
        int inRow = x.RowLength, outRow = outLength / n;
        for (int i = 0; i < n; i++)
        {
            var one = Tensor.FromArray(x.Data.AsSpan(i * inRow, inRow).ToArray(), [1, .. x.Shape[1..]]);
            var alone = Run(one, dyAll, i);
            Assert.Equal(alone.Y, batch.Y.AsSpan(i * outRow, outRow).ToArray());
            Assert.Equal(alone.Dx, batch.Dx.AsSpan(i * inRow, inRow).ToArray());
            for (int k = 0; k < dwSum.Length; k++) dwSum[k] += alone.Dw[k];
        }
        TestUtil.AssertClose(dwSum, batch.Dw, 1e-4, "dW");
    }

    [Fact]
    public void BadShapesAreNamed()
    {
        Assert.Contains("(N, C, H, W)", Assert.Throws<ArgumentException>(() => Ops.Conv2d(new Tensor(3, 4), new Tensor(2, 3, 3, 3), null)).Message);
        Assert.Contains("(F, 1, kh, kw)", Assert.Throws<ArgumentException>(() => Ops.Conv2d(new Tensor(1, 1, 5, 5), new Tensor(2, 3, 3, 3), null)).Message);
        Assert.Throws<ArgumentException>(() => Ops.Conv2d(new Tensor(1, 1, 2, 2), new Tensor(1, 1, 5, 5), null));
        Assert.Throws<ArgumentException>(() => Ops.ConvTranspose2d(new Tensor(1, 2, 3, 3), new Tensor(3, 2, 3, 3), null));
    }
}
