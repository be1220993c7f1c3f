using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

public class FigureTests
{
    [Fact]
    public void NearestColumnHoldsTheClosestTrainingImage()
    {
        var train = TestData.Mnist(3000);
        // Row r's last sample is training image 100·r + 7 plus a little noise: its nearest must be that image.
        var rng = new Rng(4);
        var samples = new Tensor(3 * 4, 784);
        rng.FillUniform(samples.Data, 0, 1);
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 784; k++)
                samples.Data[(r * 4 + 3) * 784 + k] = train.Pixels[(100 * r + 7) * 784 + k] + 0.01f * rng.NextFloat();
        var (images, nearest) = Figures.SamplesWithNearest(samples, 3, 4, train.Pixels, train.Count);
        Assert.Equal([7, 107, 207], nearest);
        Assert.Equal(train.Pixels.AsSpan(107 * 784, 784).ToArray(), images.AsSpan((1 * 5 + 4) * 784, 784).ToArray());
        Assert.Equal(samples.Data.AsSpan(4 * 784, 784).ToArray(), images.AsSpan(5 * 784, 784).ToArray());
    }

    [Fact]
    public void InterpolationRowsRunBetweenTwoSamples()
    {
        var models = ModelFactory.Build(TrainerTests.Small(1), null);
        var rows = Figures.Interpolation(models, NoisePrior.Gaussian, 2, 5, new Rng(3));
        Assert.Equal([10, 784], rows.Shape);
        // Endpoints are G at the drawn noise vectors: redraw them and compare.
        var rng = new Rng(3);
        var ends = new Tensor(2, 100);
        NoisePrior.Gaussian.Fill(ends.Data, rng);
        var g = Samples.Draw(models, ends);
        Assert.Equal(g.Data.AsSpan(0, 784).ToArray(), rows.Data.AsSpan(0, 784).ToArray());
        Assert.Equal(g.Data.AsSpan(784, 784).ToArray(), rows.Data.AsSpan(4 * 784, 784).ToArray());
    }
}
