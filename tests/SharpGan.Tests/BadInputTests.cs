using SharpGan.Autograd;
using SharpGan.IO;
using SharpGan.Nn;
using SharpGan.Tensors;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Shape and hyperparameter mistakes fail with an ArgumentException that names the argument and the shapes.</summary>
public class BadInputTests
{
    [Fact]
    public void MatMulInnerDimensionMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.MatMul(new Tensor(2, 3), new Tensor(4, 5)));
        Assert.Equal("b", ex.ParamName);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }

    [Fact]
    public void WrongRankIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Linear(new Tensor(2, 3, 4), new Tensor(5, 4), null));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("rank 2", ex.Message);
    }

    [Fact]
    public void LayerInputOfTheWrongWidthNamesTheWeightShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Linear(784, 10).Forward(new Tensor(2, 100)));
        Assert.Contains("[10, 784]", ex.Message);
        Assert.Throws<ArgumentException>(() => new Maxout(784, 240, 5).Forward(new Tensor(2, 100)));
    }

    [Fact]
    public void InvalidLayerHyperparameters()
    {
        Assert.Equal("pieces", Assert.Throws<ArgumentOutOfRangeException>(() => new Maxout(10, 4, 0)).ParamName);
        Assert.Equal("keepProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(0f, new Rng(1))).ParamName);
        Assert.Equal("keepProbability", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5f, new Rng(1))).ParamName);
        Assert.Equal("keep", Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Dropout(new Tensor(2), float.NaN, new Rng(1))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 3));
    }

    [Fact]
    public void ElementwiseShapeMismatchAndBadReshape()
    {
        Assert.Contains("[2, 3] vs [3, 2]", Assert.Throws<ArgumentException>(() => Ops.Add(new Tensor(2, 3), new Tensor(3, 2))).Message);
        Assert.Throws<ArgumentException>(() => Ops.Reshape(new Tensor(2, 3), 4, -1));
        Assert.Throws<ArgumentException>(() => Ops.Concat(0, new Tensor(2, 3), new Tensor(2, 4)));
        Assert.Throws<ArgumentException>(() => Tensor.FromArray(new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => new Tensor(2, 0));
    }

    [Fact]
    public void SafeTensorsRoundTripAndCorruption()
    {
        var a = Tensor.FromArray([1f, -2f, 3.5f, float.MaxValue, 0f, 1e-30f], 2, 3);
        byte[] bytes = SafeTensors.Serialize([new("w", a)], new Dictionary<string, string> { ["step"] = "7" });
        var back = SafeTensors.Parse(bytes);
        Assert.Equal(a.Data, back.Tensors["w"].Data);
        Assert.Equal([2, 3], back.Tensors["w"].Shape);
        Assert.Equal("7", back.Metadata["step"]);
        Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(bytes.AsSpan(0, bytes.Length - 4)));
        Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(bytes.AsSpan(0, 6)));
        var garbled = (byte[])bytes.Clone();
        garbled[8] = (byte)'!'; // the header's opening brace
        Assert.Throws<InvalidDataException>(() => SafeTensors.Parse(garbled));
    }
}
