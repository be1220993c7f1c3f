using SharpGan.Gan;
using SharpGan.Training;
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
        Assert.Equal((OptimizerKind.Sgd, 0.1f, 1.000004, 1e-6f), (c.Optimizer.Kind, c.Optimizer.LearningRate, c.Optimizer.LrDecayFactor, c.Optimizer.LrFloor));
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
    [InlineData("\"noise_prior\": \"gaussian\"", "\"noise_prior\": \"uniform\"", "model.noise_prior must be one of gaussian, uniform_unit_variance, uniform_symmetric, uniform_unit; got \"uniform\"")]
    [InlineData("\"batch_size\": 100", "\"batch_size\": \"100\"", "training.batch_size must be a whole number (32-bit); got \"100\"")]
    [InlineData("\"batch_size\": 100", "\"batch_size\": 1e12", "training.batch_size must be a whole number")]
    [InlineData("\"seed\": 1", "\"seed\": 1.5", "seed must be a whole number; got 1.5")]
    [InlineData("\"simultaneous\": false", "\"simultaneous\": 0", "training.simultaneous must be true or false; got 0")]
    [InlineData("\"learning_rate\": 0.1", "\"learning_rate\": null", "optimizer.learning_rate must be a finite number; got null")]
    [InlineData("\"generator_hidden\": 1200", "\"generator_hidden\": 2000000000", "model.generator_hidden must be in [1, 16384], got 2000000000")]
    [InlineData("\"discriminator_units\": 240", "\"discriminator_units\": 16000", "networks of")]
    public void InvalidFieldsAreNamedInTheFilesWords(string from, string to, string expected)
    {
        string json = ConfigIo.ToJson(Presets.Get("mnist-paper"));
        Assert.Contains(from, json);
        var ex = Assert.Throws<ConfigException>(() => ConfigIo.FromJson(json.Replace(from, to), "run.json"));
        Assert.Contains("run.json", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain("System.", ex.Message);        // no .NET type names
        Assert.DoesNotContain("BytePosition", ex.Message);  // no JSON reader jargon
    }

    [Fact]
    public void UnknownPresetListsTheKnownOnes()
    {
        var ex = Assert.Throws<ConfigException>(() => Presets.Get("mnist-papr"));
        Assert.Contains("mnist-paper", ex.Message);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        string json = ConfigIo.ToJson(Presets.Get("mnist-paper"))
            .Replace("\"noise_prior\": \"gaussian\"", "\"noise_prior\": \"uniform\"")
            .Replace("\"k\": 1", "\"kk\": 1")
            .Replace("\"batch_size\": 100", "\"batch_size\": \"lots\"");
        var ex = Assert.Throws<ConfigException>(() => ConfigIo.FromJson(json, "run.json"));
        Assert.Contains("3 problems", ex.Message);
        Assert.Contains("model.noise_prior", ex.Message);
        Assert.Contains("training.kk is not a known field", ex.Message);
        Assert.Contains("training.batch_size", ex.Message);

        string values = ConfigIo.ToJson(Presets.Get("mnist-paper")).Replace("\"batch_size\": 100", "\"batch_size\": 0").Replace("\"epochs\": 100", "\"epochs\": -1");
        var both = Assert.Throws<ConfigException>(() => ConfigIo.FromJson(values, "run.json"));
        Assert.Contains("training.batch_size must be in [1, 65536], got 0", both.Message);
        Assert.Contains("training.epochs must be positive, got -1", both.Message);
    }

    [Fact]
    public void NullSectionsAndBrokenJsonAreNamed()
    {
        string json = ConfigIo.ToJson(Presets.Get("mnist-paper"));
        var nullSection = Assert.Throws<ConfigException>(() => ConfigIo.FromJson(json.Replace("\"model\": {", "\"model\": null, \"x\": {"), "run.json"));
        Assert.Contains("model must be an object {…}; got null", nullSection.Message);
        var broken = Assert.Throws<ConfigException>(() => ConfigIo.FromJson(json[..(json.Length / 2)], "run.json"));
        Assert.Contains("not valid JSON at line", broken.Message);
        Assert.Contains("the config must be an object", Assert.Throws<ConfigException>(() => ConfigIo.FromJson("[1]", "run.json")).Message);
    }

    [Fact]
    public void StateElementCountIsWhatBuildAllocates()
    {
        var variants = Presets.All.Select(p => p.Config).Concat(
        [
            Presets.Get("mnist-paper") with { Model = new ModelConfig { NoiseDim = 7, GeneratorHidden = 13, DiscriminatorUnits = 5, DiscriminatorPieces = 3 } },
            Presets.Get("mnist-dcgan") with { Model = Presets.Get("mnist-dcgan").Model with { NoiseDim = 9, Features = 3 } },
            Presets.Get("cifar10-dcgan") with { Model = Presets.Get("cifar10-dcgan").Model with { NoiseDim = 5, Features = 2 } },
        ]);
        foreach (var config in variants)
        {
            var models = ModelFactory.Build(config, null);
            long built = models.Generator.NamedState().Concat(models.Discriminator.NamedState()).Sum(p => (long)p.Value.Length);
            Assert.Equal(built, ModelFactory.StateElementCount(config));
        }
    }
}
