using SharpGan.Autograd;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

public class BatchNormTests
{
    [Theory]
    [InlineData("batchnorm2d_train", true)]
    [InlineData("batchnorm2d_eval", false)]
    [InlineData("batchnorm1d_train", true)]
    public void MatchesPyTorchIncludingRunningStatistics(string name, bool training)
    {
        var f = TestUtil.Fixture(name);
        Tensor Leaf(string key) { var t = f.Tensors[key].Clone(); t.RequiresGrad = true; return t; }
        Tensor x = Leaf("x"), gamma = Leaf("gamma"), beta = Leaf("beta");
        Tensor rm = f.Tensors["running_mean_in"].Clone(), rv = f.Tensors["running_var_in"].Clone();
        using (var tape = new Tape().Begin())
        {
            var y = Ops.BatchNorm(x, gamma, beta, rm, rv, training);
            TestUtil.AssertClose(f.Tensors["y"].Data, y.Data, 1e-4, "y");
            tape.Backward(Ops.Sum(Ops.Multiply(y, f.Tensors["dy"])));
        }
        TestUtil.AssertClose(f.Tensors["running_mean_out"].Data, rm.Data, 1e-4, "running mean");
        TestUtil.AssertClose(f.Tensors["running_var_out"].Data, rv.Data, 1e-4, "running var");
        TestUtil.AssertClose(f.Tensors["dx"].Data, x.Grad, 1e-4, "dx");
        TestUtil.AssertClose(f.Tensors["dgamma"].Data, gamma.Grad, 1e-4, "dgamma");
        TestUtil.AssertClose(f.Tensors["dbeta"].Data, beta.Grad, 1e-4, "dbeta");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FiniteDifferences(bool training)
    {
        var rng = new Rng(8);
        var x = TestUtil.Random(rng, 1, 3, 2, 3, 3);
        var gamma = TestUtil.Random(rng, 0.5f, 2); var beta = TestUtil.Random(rng, 0.5f, 2);
        Tensor? r = null;
        Tensor Loss()
        {
            Tensor rm = new(2), rv = Tensor.FromArray([1f, 1f], 2); // fresh each call: the forward must not drift
            var y = Ops.BatchNorm(x, gamma, beta, rm, rv, training);
            r ??= TestUtil.Random(new Rng(3), 1, y.Shape);
            return Ops.Sum(Ops.Multiply(y, r));
        }
        TestUtil.CheckGradients(Loss, [x, gamma, beta], eps: 1e-2f);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void FeatureInputsGiveThePerChannelFormulasBitForBit(bool training, bool affine)
    {
        // (N, F) inputs run eight channels a vector across rows, in groups of 64 on all threads: 70 channels leave a
        // scalar remainder and a second group; 300 rows make it parallel. Expected: each channel on its own, in the
        // order the per-channel pass takes (sums of x and x² over the rows in double, then float arithmetic).
        int n = 300, f = 70;
        var rng = new Rng(31);
        var x = new Tensor(n, f); rng.FillUniform(x.Data, -2, 3); x.RequiresGrad = true;
        var dy = new Tensor(n, f); rng.FillUniform(dy.Data, -1, 1);
        Tensor? gamma = affine ? new Tensor(f) : null, beta = affine ? new Tensor(f) : null;
        if (affine) { rng.FillUniform(gamma!.Data, 0.5f, 1.5f); rng.FillUniform(beta!.Data, -1, 1); gamma!.RequiresGrad = beta!.RequiresGrad = true; }
        var (rm, rv) = (new Tensor(f), new Tensor(f));
        rng.FillUniform(rm.Data, -0.5f, 0.5f); rng.FillUniform(rv.Data, 0.5f, 2f);
        var (rmExpected, rvExpected) = ((float[])rm.Data.Clone(), (float[])rv.Data.Clone());
        var (yExpected, dxExpected) = (new float[n * f], new float[n * f]);
        var (dgExpected, dbExpected) = (new float[f], new float[f]);
        const float momentum = 0.1f, eps = 1e-5f;
        for (int c = 0; c < f; c++)
        {
            double mean = rmExpected[c], variance = rvExpected[c];
            if (training)
            {
                double sum = 0, squares = 0;
                for (int b = 0; b < n; b++) { float v = x.Data[b * f + c]; sum += v; squares += (double)v * v; }
                mean = sum / n;
                variance = Math.Max(0, squares / n - mean * mean);
                rmExpected[c] = (float)((1 - momentum) * rmExpected[c] + momentum * mean);
                rvExpected[c] = (float)((1 - momentum) * rvExpected[c] + momentum * variance * n / (n - 1));
            }
            float inv = (float)(1 / Math.Sqrt(variance + eps)), mu = (float)mean, g = affine ? gamma!.Data[c] : 1f, bt = affine ? beta!.Data[c] : 0f;
            double sumDy = 0, sumDyXhat = 0;
            for (int b = 0; b < n; b++)
            {
                float h = (x.Data[b * f + c] - mu) * inv, d = dy.Data[b * f + c];
                yExpected[b * f + c] = g * h + bt;
                sumDy += d;
                sumDyXhat += d * h;
            }
            (dgExpected[c], dbExpected[c]) = ((float)sumDyXhat, (float)sumDy);
            float scale = training ? g * inv / n : g * inv, mDy = (float)sumDy, mDyX = (float)sumDyXhat;
            for (int b = 0; b < n; b++)
            {
                float h = (x.Data[b * f + c] - mu) * inv, d = dy.Data[b * f + c];
                dxExpected[b * f + c] = training ? 0f + scale * (n * d - mDy - h * mDyX) : 0f + scale * d;
            }
        }
        TestUtil.AtOneAndTwoThreads(() =>
        {
            var (rmRun, rvRun) = (rm.Clone(), rv.Clone());
            x.ZeroGrad(); gamma?.ZeroGrad(); beta?.ZeroGrad();
            using (var tape = new Tape().Begin())
            {
                var y = Ops.BatchNorm(x, gamma, beta, rmRun, rvRun, training, momentum, eps);
                Assert.Equal(yExpected, y.Data);
                tape.Backward(Ops.Sum(Ops.Multiply(y, dy)));
            }
            Assert.Equal(dxExpected, x.Grad![..(n * f)]);
            Assert.Equal(rmExpected, rmRun.Data);
            Assert.Equal(rvExpected, rvRun.Data);
            if (affine)
            {
                Assert.Equal(dgExpected, gamma!.Grad!);
                Assert.Equal(dbExpected, beta!.Grad!);
            }
        });
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void ImageInputsGiveEachChannelItsOwnResultBitForBit(bool training, bool affine)
    {
        // (N, C, H, W) inputs run 16 channels a work item, walked image by image across the group: 20 channels make a
        // full group and a ragged one, 5×5 maps leave a scalar tail after three vectors, and 140 images make it parallel.
        // Each channel must come out exactly as it does alone, an (N, 1, H, W) input (one channel, one group).
        int n = 140, c = 20, h = 5, w = 5, spatial = h * w;
        var rng = new Rng(47);
        var x = new Tensor(n, c, h, w); rng.FillUniform(x.Data, -2, 3); x.RequiresGrad = true;
        var dy = new Tensor(n, c, h, w); rng.FillUniform(dy.Data, -1, 1);
        Tensor? gamma = affine ? new Tensor(c) : null, beta = affine ? new Tensor(c) : null;
        if (affine) { rng.FillUniform(gamma!.Data, 0.5f, 1.5f); rng.FillUniform(beta!.Data, -1, 1); gamma!.RequiresGrad = beta!.RequiresGrad = true; }
        var (rm, rv) = (new Tensor(c), new Tensor(c));
        rng.FillUniform(rm.Data, -0.5f, 0.5f); rng.FillUniform(rv.Data, 0.5f, 2f);
        float[] ChannelOf(float[] data, int ch)
        {
            var one = new float[n * spatial];
            for (int b = 0; b < n; b++) data.AsSpan((b * c + ch) * spatial, spatial).CopyTo(one.AsSpan(b * spatial, spatial));
            return one;
        }
        Tensor Channel(Tensor t, int ch) { var one = new Tensor(n, 1, h, w); ChannelOf(t.Data, ch).CopyTo(one.Data, 0); return one; }
        Tensor Scalar(Tensor? t, int ch) { var one = new Tensor(1); if (t is not null) one.Data[0] = t.Data[ch]; return one; }
        TestUtil.AtOneAndTwoThreads(() =>
        {
            var (rmRun, rvRun) = (rm.Clone(), rv.Clone());
            x.ZeroGrad(); gamma?.ZeroGrad(); beta?.ZeroGrad();
            float[] y; // the step's tensors go back to the arena when its tape ends
            using (var tape = new Tape().Begin())
            {
                var output = Ops.BatchNorm(x, gamma, beta, rmRun, rvRun, training);
                y = output.Data[..x.Length];
                tape.Backward(Ops.Sum(Ops.Multiply(output, dy)));
            }
            for (int ch = 0; ch < c; ch++)
            {
                var xc = Channel(x, ch); xc.RequiresGrad = true;
                Tensor? gc = affine ? Scalar(gamma, ch) : null, bc = affine ? Scalar(beta, ch) : null;
                if (affine) gc!.RequiresGrad = bc!.RequiresGrad = true;
                var (rmc, rvc) = (Scalar(rm, ch), Scalar(rv, ch));
                float[] yc;
                using (var tape = new Tape().Begin())
                {
                    var output = Ops.BatchNorm(xc, gc, bc, rmc, rvc, training);
                    yc = output.Data[..xc.Length];
                    tape.Backward(Ops.Sum(Ops.Multiply(output, Channel(dy, ch))));
                }
                Assert.Equal(yc, ChannelOf(y, ch));
                Assert.Equal(xc.Grad![..(n * spatial)], ChannelOf(x.Grad!, ch));
                Assert.Equal(rmc.Data[0], rmRun.Data[ch]);
                Assert.Equal(rvc.Data[0], rvRun.Data[ch]);
                if (affine)
                {
                    Assert.Equal(gc!.Grad![0], gamma!.Grad![ch]);
                    Assert.Equal(bc!.Grad![0], beta!.Grad![ch]);
                }
            }
        });
    }

    [Fact]
    public void BadShapesAndSettingsAreNamed()
    {
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => Ops.BatchNorm(new Tensor(4, 3), new Tensor(2), null, new Tensor(3), new Tensor(3), true)).ParamName);
        Assert.Throws<ArgumentException>(() => Ops.BatchNorm(new Tensor(1, 3), null, null, new Tensor(3), new Tensor(3), true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.BatchNorm(new Tensor(4, 3), null, null, new Tensor(3), new Tensor(3), true, momentum: 2));
    }
}
