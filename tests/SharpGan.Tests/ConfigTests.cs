using SharpGan.Gan;
using Xunit;

namespace SharpGan.Tests;

public class ConfigTests
{
    [Fact]
    public void PresetsRoundTripThroughJson()
    {
        foreach (var (name, _, config) in Presets.All)
        {
            var back = ConfigIo.FromJson(ConfigIo.ToJson(config), name);
            Assert.Equal(ConfigIo.ToJson(config), ConfigIo.ToJson(back));
        }
    }

    [Fact]
    public void MnistPaperIsThePapersSetup()
    {
        var c = Presets.Get("mnist-paper");
        Assert.Equal((100, 1200, 240, 5), (c.Model.NoiseDim, c.Model.GeneratorHidden, c.Model.DiscriminatorUnits, c.Model.DiscriminatorPieces));
        Assert.Equal((0.8f, 0.5f, 0.05f, 0.005f), (c.Model.DiscriminatorInputKeep, c.Model.DiscriminatorHiddenKeep, c.Model.GeneratorInitRange, c.Model.DiscriminatorInitRange));
        Assert.Equal(("sgd", 0.1f, 1.000004, 1e-6f), (c.Optimizer.Kind, c.Optimizer.LearningRate, c.Optimizer.LrDecayFactor, c.Optimizer.LrFloor));
        Assert.Equal((0.5f, 0.7f, 1.0, 250.0), (c.Optimizer.MomentumStart, c.Optimizer.MomentumEnd, c.Optimizer.MomentumRampStartEpoch, c.Optimizer.MomentumRampEndEpoch));
        Assert.Equal((100, 1, GeneratorLoss.NonSaturating), (c.Training.BatchSize, c.Training.K, c.Training.GeneratorLoss));
        Assert.Equal("fashion-mnist", Presets.Get("fashion-mnist-paper").Dataset);
    }

    [Theory]
    [InlineData("\"batch_size\": 100", "\"batch_size\": 0", "training.batch_size")]
    [InlineData("\"learning_rate\": 0.1", "\"learning_rate\": -0.1", "optimizer.learning_rate")]
    [InlineData("\"discriminator_input_keep\": 0.8", "\"discriminator_input_keep\": 1.5", "model.discriminator_input_keep")]
    [InlineData("\"discriminator_pieces\": 5", "\"discriminator_pieces\": 0", "model.discriminator_pieces")]
    [InlineData("\"dataset\": \"mnist\"", "\"dataset\": \"imagenet\"", "dataset 'imagenet'")]
    [InlineData("\"k\": 1", "\"k\": 1, \"kk\": 2", "kk")]
    [InlineData("\"generator_loss\": \"non_saturating\"", "\"generator_loss\": \"wasserstein\"", "generator_loss")]
    [InlineData("\"lr_anneal\": []", "\"lr_anneal\": [{\"from_step\": 10, \"factor\": 0.9}]", "optimizer.lr_anneal[0].factor")]
    [InlineData("\"lr_anneal\": []", "\"lr_anneal\": [{\"from_step\": 10, \"factor\": 1.1}, {\"from_step\": 5, \"factor\": 1.2}]", "optimizer.lr_anneal[1].from_step")]
    [InlineData("\"lr_anneal\": []", "\"lr_anneal\": null", "optimizer.lr_anneal")]
    public void InvalidFieldsAreNamed(string from, string to, string expected)
    {
        string json = ConfigIo.ToJson(Presets.Get("mnist-paper"));
        Assert.Contains(from, json);
        var ex = Assert.Throws<ConfigException>(() => ConfigIo.FromJson(json.Replace(from, to), "run.json"));
        Assert.Contains("run.json", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void UnknownPresetListsTheKnownOnes()
    {
        var ex = Assert.Throws<ConfigException>(() => Presets.Get("mnist-papr"));
        Assert.Contains("mnist-paper", ex.Message);
    }
}
