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

    [Fact]
    public void BadShapesAndSettingsAreNamed()
    {
        Assert.Equal("gamma", Assert.Throws<ArgumentException>(() => Ops.BatchNorm(new Tensor(4, 3), new Tensor(2), null, new Tensor(3), new Tensor(3), true)).ParamName);
        Assert.Throws<ArgumentException>(() => Ops.BatchNorm(new Tensor(1, 3), null, null, new Tensor(3), new Tensor(3), true));
        Assert.Throws<ArgumentOutOfRangeException>(() => Ops.BatchNorm(new Tensor(4, 3), null, null, new Tensor(3), new Tensor(3), true, momentum: 2));
    }
}
