using SharpGan.Models;
using SharpGan.Cli;
using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>The `sharpgan` command in-process: exit codes, one-line errors, and that nothing saved is overwritten.</summary>
public class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Sharpgan(params string[] args)
    {
        var (stdout, stderr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        Console.SetOut(o); Console.SetError(e);
        try { return (CliApp.Run(args), o.ToString(), e.ToString()); }
        finally { Console.SetOut(stdout); Console.SetError(stderr); }
    }

    private string SmallConfigFile(long steps)
    {
        string path = Path.Combine(_dir, "small.json");
        File.WriteAllText(path, ConfigIo.ToJson(TrainerTests.Small(steps)));
        return path;
    }

    [Fact]
    public void VersionHelpAndPresets()
    {
        Assert.Equal(0, Sharpgan("--version").Code);
        var help = Sharpgan("--help");
        Assert.Equal(0, help.Code);
        Assert.Contains("train", help.Out);
        var presets = Sharpgan("presets");
        Assert.Contains("mnist-paper", presets.Out);
        Assert.Contains("fashion-mnist-paper", presets.Out);
    }

    [Fact]
    public void ASemiSupervisedConfigRoundTripsAndTheLineOverridesIt()
    {
        var printed = Sharpgan("semi", "train", "--labels", "50", "--print-config");
        Assert.True(printed.Code == 0, printed.Err);
        var written = System.Text.Json.JsonSerializer.Deserialize<SemiSupervisedConfig>(printed.Out, ConfigIo.Options)!;
        Assert.Equal(new SemiSupervisedConfig { Labels = 50 }, written);
        string file = Path.Combine(_dir, "semi.json");
        File.WriteAllText(file, printed.Out.Replace("\"decay_from\": 0.5", "\"decay_from\": 1"));
        var edited = Sharpgan("semi", "train", "--config", file, "--seed", "3", "--print-config");
        Assert.True(edited.Code == 0, edited.Err);
        var read = System.Text.Json.JsonSerializer.Deserialize<SemiSupervisedConfig>(edited.Out, ConfigIo.Options)!;
        Assert.Equal(new SemiSupervisedConfig { Labels = 50, Seed = 3, DecayFrom = 1 }, read); // the file's rate schedule, the line's seed

        File.WriteAllText(file, printed.Out.Replace("\"decay_from\"", "\"decay_frm\""));
        var typo = Sharpgan("semi", "train", "--config", file);
        Assert.Equal(2, typo.Code);
        Assert.Contains($"{file}: unknown field 'decay_frm'", typo.Err);
    }

    [Fact]
    public void ATimeLimitStopsWithACheckpointAndExitZero()
    {
        string run = Path.Combine(_dir, "budget");
        var timed = Sharpgan("train", "--config", SmallConfigFile(1_000_000), "--out", run, "--time-limit", "0.02");
        Assert.True(timed.Code == 0, timed.Err);
        Assert.Contains("time limit of 0.02 min reached at step", timed.Out);
        var checkpoint = new RunDirectory(run).LatestCheckpoint();
        Assert.NotNull(checkpoint);
        long step = Checkpoint.Read(checkpoint).State.Step;
        Assert.InRange(step, 1, 999_999);
        var resumed = Sharpgan("train", "--resume", run, "--max-steps", (step + 5).ToString());
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains($"finished {step + 5} steps", resumed.Out);
        Assert.Equal(2, Sharpgan("train", "--config", SmallConfigFile(10), "--out", Path.Combine(_dir, "x"), "--time-limit", "0").Code);
    }

    [Fact]
    public void PrintConfigWritesValidJsonThatTrainsBack()
    {
        var printed = Sharpgan("train", "--preset", "mnist-paper", "--print-config", "--epochs", "7");
        Assert.Equal(0, printed.Code);
        var config = ConfigIo.FromJson(printed.Out, "stdout");
        Assert.Equal(7, config.Training.Epochs);
    }

    [Fact]
    public void UserMistakesGiveOneLineAndNonZeroExit()
    {
        foreach (var args in new[]
        {
            new[] { "train", "--preset", "nope" },
            new[] { "train" },
            new[] { "train", "--config", Path.Combine(_dir, "missing.json") },
            new[] { "train", "--resume", Path.Combine(_dir, "no-such-run") },
            new[] { "sample", "--run", _dir, "--out", Path.Combine(_dir, "x.png") },
        })
        {
            var (code, _, err) = Sharpgan(args);
            Assert.True(code != 0, string.Join(' ', args));
            Assert.StartsWith("error: ", err);
            Assert.Single(err.Trim().Split('\n'));
        }
        File.WriteAllText(Path.Combine(_dir, "bad.json"), ConfigIo.ToJson(Presets.Get("mnist-paper")).Replace("\"batch_size\": 100", "\"batch_size\": -3"));
        var bad = Sharpgan("train", "--config", Path.Combine(_dir, "bad.json"));
        Assert.Equal(2, bad.Code);
        Assert.Contains("training.batch_size", bad.Err);
    }

    [Fact]
    public void TrainRefusesToOverwriteARunAndResumesIt()
    {
        string run = Path.Combine(_dir, "run");
        string config = SmallConfigFile(6);
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", TestData.MnistFolder);
        Assert.Equal(0, Sharpgan("train", "--config", config, "--out", run).Code);
        string checkpoint = new RunDirectory(run).LatestCheckpoint()!;
        byte[] saved = File.ReadAllBytes(checkpoint);

        var again = Sharpgan("train", "--config", config, "--out", run);
        Assert.Equal(2, again.Code);
        Assert.Contains("already holds a run", again.Err);
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));

        var resumed = Sharpgan("train", "--resume", run, "--max-steps", "9");
        Assert.Equal(0, resumed.Code);
        Assert.Contains("resuming at step 6", resumed.Out);
        Assert.Equal(9, Checkpoint.Read(new RunDirectory(run).LatestCheckpoint()!).State.Step);

        // --anneal: from step 9 on the rate is divided by 1.01 per update, continuing from the rate reached.
        Assert.Contains("--resume", Sharpgan("train", "--config", config, "--out", Path.Combine(_dir, "new"), "--anneal", "1.01").Err);
        Assert.Contains("≥ 1", Sharpgan("train", "--resume", run, "--anneal", "0.5", "--max-steps", "12").Err);
        Assert.Equal(0, Sharpgan("train", "--resume", run, "--anneal", "1.01", "--max-steps", "12").Code);
        var annealed = Checkpoint.Read(new RunDirectory(run).LatestCheckpoint()!).Config.Optimizer;
        Assert.Equal([new LrAnnealPhase(9, 1.01)], annealed.LrAnneal);

        // --ema: a moving average of G's weights from here on, saved in the checkpoint; samples below come from it.
        Assert.Contains("training.generator_ema", Sharpgan("train", "--resume", run, "--ema", "1.5", "--max-steps", "14").Err);
        Assert.Equal(0, Sharpgan("train", "--resume", run, "--ema", "0.9", "--max-steps", "14").Code);
        var averaged = Checkpoint.Read(new RunDirectory(run).LatestCheckpoint()!);
        Assert.Equal(0.9, averaged.Config.Training.GeneratorEma);
        Assert.True(Checkpoint.HasAveragedGenerator(averaged));
        // Samples come from the average; --raw-generator draws the same noise through G's own weights instead.
        string fromAverage = Path.Combine(_dir, "average.npy"), fromG = Path.Combine(_dir, "raw.npy");
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--count", "4", "--out", fromAverage).Code);
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--count", "4", "--out", fromG, "--raw-generator").Code);
        var plain = GeneratorAverageTests.PlainModelsWith(averaged, Checkpoint.GeneratorPrefix);
        var expected = Samples.Draw(plain, averaged.Config.Model.NoisePrior, 4, new Rng(1)).Data;
        Assert.Equal(expected, SampleFile.Read(fromG, 784).Values);
        Assert.NotEqual(expected, SampleFile.Read(fromAverage, 784).Values);

        string grid = Path.Combine(_dir, "grid.png");
        var metrics = Sharpgan("eval", "metrics", "--run", run, "--classifier", Path.Combine(_dir, "no-classifier.safetensors"));
        Assert.Equal(2, metrics.Code);
        Assert.Contains("sharpgan classifier train --dataset mnist", metrics.Err);

        var sample = Sharpgan("sample", "--run", run, "--count", "12", "--out", grid);
        Assert.Equal(0, sample.Code);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(grid)[..4]);

        // The same samples as an array that `eval parzen --samples` reads back.
        string array = Path.Combine(_dir, "samples.npy");
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--count", "12", "--out", array).Code);
        var (count, dim, values) = SampleFile.Read(array, 784);
        Assert.Equal((12, 784), (count, dim));
        Assert.Contains(values, v => v > 0f && v < 1f);
        Assert.Equal(0, Sharpgan("eval", "parzen", "--samples", array, "--count", "12", "--sigma", "0.2").Code);

        // --repeats: independent draws (seeds 1, 2, 3), their mean and spread; the first draw is the single-draw result.
        var single = System.Text.Json.JsonDocument.Parse(Sharpgan("eval", "parzen", "--run", run, "--count", "50", "--sigma", "0.2", "--json").Out).RootElement;
        var three = System.Text.Json.JsonDocument.Parse(Sharpgan("eval", "parzen", "--run", run, "--count", "50", "--sigma", "0.2", "--repeats", "3", "--json").Out).RootElement;
        var draws = three.GetProperty("test_ll_by_repeat").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        Assert.Equal(3, draws.Length);
        Assert.Equal(single.GetProperty("test_ll").GetDouble(), draws[0]);
        Assert.True(Math.Abs(draws.Average() - three.GetProperty("test_ll").GetDouble()) <= 0.01); // each rounded to 0.01
        Assert.True(three.GetProperty("test_ll_std_over_draws").GetDouble() > 0);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, single.GetProperty("test_ll_std_over_draws").ValueKind);
        Assert.Equal(single.GetProperty("source").GetString(), three.GetProperty("source").GetString());
        Assert.Contains("needs a .png", Sharpgan("sample", "--run", run, "--count", "12", "--nearest", "--columns", "4", "--out", array).Err);
    }

    [Fact]
    public void ParzenScoresASampleFileAndRejectsBadOnes()
    {
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", TestData.MnistFolder);
        string idx = Path.Combine(_dir, "samples.idx");
        var pixels = TestData.Mnist(600).Pixels.Select(v => (byte)Math.Round(v * 255)).ToArray();
        IdxFile.Write(idx, new IdxArray([600, 28, 28], pixels));
        var ok = Sharpgan("eval", "parzen", "--samples", idx, "--json");
        Assert.Equal(0, ok.Code);
        using var json = System.Text.Json.JsonDocument.Parse(ok.Out);
        foreach (string field in new[] { "sigma", "test_ll", "test_se", "valid_ll_by_sigma", "seconds" }) Assert.True(json.RootElement.TryGetProperty(field, out _), field);
        Assert.Equal(10, json.RootElement.GetProperty("valid_ll_by_sigma").EnumerateObject().Count());

        IdxFile.Write(Path.Combine(_dir, "wide.idx"), new IdxArray([5, 30, 30], new byte[4500]));
        Assert.Contains("expected 784", Sharpgan("eval", "parzen", "--samples", Path.Combine(_dir, "wide.idx")).Err);
        Assert.Contains("fewer than the 1000", Sharpgan("eval", "parzen", "--samples", idx, "--count", "1000").Err);
        Assert.Equal(2, Sharpgan("eval", "parzen", "--samples", idx, "--sigma", "-1").Code);
        Assert.Contains("exactly one", Sharpgan("eval", "parzen").Err);
    }

    [Fact]
    public void MissingDataLeavesNoRunFolderBehind()
    {
        string? saved = Environment.GetEnvironmentVariable("SHARPGAN_DATA");
        string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", Path.Combine(_dir, "empty"));
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", Path.Combine(_dir, "cache"));
        Environment.SetEnvironmentVariable("SHARPGAN_OFFLINE", "1");
        try
        {
            string run = Path.Combine(_dir, "nodata");
            var (code, _, err) = Sharpgan("train", "--config", SmallConfigFile(2), "--out", run, "--data-dir", Path.Combine(_dir, "empty"));
            Assert.NotEqual(0, code);
            Assert.Contains("SHARPGAN_OFFLINE", err);
            Assert.False(new RunDirectory(run).HoldsRun);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHARPGAN_DATA", saved);
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", cache);
            Environment.SetEnvironmentVariable("SHARPGAN_OFFLINE", null);
        }
    }

    [Fact]
    public void ForeignCheckpointIsRefused()
    {
        string run = Path.Combine(_dir, "foreign");
        Directory.CreateDirectory(Path.Combine(run, "checkpoints"));
        SafeTensors.Write(Path.Combine(run, "checkpoints", "step-00000001.safetensors"), [new("w", new Tensor(2, 2))]);
        var (code, _, err) = Sharpgan("train", "--resume", run);
        Assert.Equal(2, code);
        Assert.Contains("not a SharpGAN checkpoint", err);
        File.WriteAllBytes(Path.Combine(run, "checkpoints", "step-00000002.safetensors"), [1, 2, 3]);
        Assert.Contains("too short", Sharpgan("sample", "--run", run, "--out", Path.Combine(_dir, "y.png")).Err);
    }

    [Fact]
    public void CheckpointWhoseShapesDoNotMatchItsConfigIsRefused()
    {
        string run = Path.Combine(_dir, "mismatch");
        var small = TrainerTests.Small(2);
        new GanTrainer(small, TestData.Mnist(1000), new RunDirectory(run)).Train();
        string path = new RunDirectory(run).LatestCheckpoint()!;
        var content = SafeTensors.Read(path);
        // The same tensors under a config that asks for a wider generator: what a hand-edited or mixed-up file looks like.
        var wider = small with { Model = small.Model with { GeneratorHidden = 256 } };
        var metadata = content.Metadata.ToDictionary() ;
        metadata["config"] = ConfigIo.ToJson(wider);
        SafeTensors.Write(path, content.Tensors, metadata);
        var (code, _, err) = Sharpgan("sample", "--run", run, "--out", Path.Combine(_dir, "z.png"));
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("has shape [128, 100] but the model expects [256, 100]", err);
        Assert.False(File.Exists(Path.Combine(_dir, "z.png")));
    }

    [Fact]
    public void ConfigWhoseArchitectureCannotMakeTheDatasetsImagesIsRefused()
    {
        string path = Path.Combine(_dir, "cifar28.json");
        var preset = Presets.Get("cifar10-dcgan");
        File.WriteAllText(path, ConfigIo.ToJson(preset with { Model = preset.Model with { Architecture = Architecture.Dcgan28 } }));
        var (code, _, err) = Sharpgan("train", "--config", path, "--out", Path.Combine(_dir, "never"));
        Assert.Equal(2, code);
        Assert.Contains("use dcgan32", err);
        Assert.False(Directory.Exists(Path.Combine(_dir, "never")));
    }

    [Fact]
    public void EvalEveryWithoutAClassifierNamesTheCommandThatTrainsOne()
    {
        string run = Path.Combine(_dir, "evalrun");
        var (code, _, err) = Sharpgan("train", "--config", SmallConfigFile(5), "--out", run, "--eval-every", "5", "--classifier", Path.Combine(_dir, "none.safetensors"));
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("sharpgan classifier train --dataset mnist", err);
        Assert.False(Directory.Exists(run));
        Assert.Contains("training.eval_every", Sharpgan("train", "--config", SmallConfigFile(5), "--out", run, "--eval-every", "-1").Err);
    }

    [Fact]
    public void MetricsScoreASampleFileFromElsewhere()
    {
        Environment.SetEnvironmentVariable("SHARPGAN_DATA", TestData.MnistFolder);
        string idx = Path.Combine(_dir, "real.idx");
        var pixels = TestData.Mnist(300).Pixels.Select(v => (byte)Math.Round(v * 255)).ToArray();
        IdxFile.Write(idx, new IdxArray([300, 28, 28], pixels));
        string classifier = Path.Combine(_dir, "clf.safetensors");
        new Evaluation.FeatureClassifier("mnist", new Rng(3)).Save(classifier, 0.1);
        var ok = Sharpgan("eval", "metrics", "--samples", idx, "--classifier", classifier, "--json");
        Assert.Equal(0, ok.Code);
        using var json = System.Text.Json.JsonDocument.Parse(ok.Out);
        Assert.Equal(300, json.RootElement.GetProperty("samples").GetInt32());
        Assert.True(json.RootElement.GetProperty("model").GetProperty("frechet_distance").GetDouble() > 0);
        Assert.Contains("fewer than the 500", Sharpgan("eval", "metrics", "--samples", idx, "--classifier", classifier, "--count", "500").Err);
        Assert.Contains("exactly one", Sharpgan("eval", "metrics").Err);
    }

    [Fact]
    public void Cifar10ClassifierTrainingAndMeasurementsWorkEndToEnd()
    {
        string data = Cifar10Tests.WriteDataset(Path.Combine(_dir, "data"), 40, 120);
        string classifier = Path.Combine(_dir, "cifar-clf.safetensors");
        var trained = Sharpgan("classifier", "train", "--dataset", "cifar10", "--data-dir", data, "--epochs", "1", "--out", classifier);
        Assert.True(trained.Code == 0, trained.Err);
        var preset = Presets.Get("cifar10-dcgan");
        string config = Path.Combine(_dir, "cifar.json");
        File.WriteAllText(config, ConfigIo.ToJson(preset with
        {
            Model = preset.Model with { Features = 4, NoiseDim = 8 },
            Training = preset.Training with { BatchSize = 16, MaxSteps = 4, EvalEvery = 2, EvalSamples = 100 },
        }));
        string run = Path.Combine(_dir, "cifar-run");
        var train = Sharpgan("train", "--config", config, "--out", run, "--data-dir", data, "--classifier", classifier);
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("there are 120", Sharpgan("train", "--config", config, "--out", run + "-big", "--data-dir", data, "--classifier", classifier, "--eval-samples", "200").Err);
        Assert.Equal(2, new MetricsLog(new RunDirectory(run).MetricsPath, long.MaxValue).Rows.Count(r => r.Quality is not null));
        var metrics = Sharpgan("eval", "metrics", "--run", run, "--data-dir", data, "--classifier", classifier, "--count", "50", "--json");
        Assert.True(metrics.Code == 0, metrics.Err);
        Assert.Contains("frechet_distance", metrics.Out);
        // A classifier of another dataset is refused rather than silently scoring in the wrong feature space.
        string mnistClassifier = Path.Combine(_dir, "mnist-clf.safetensors");
        new Evaluation.FeatureClassifier("mnist", new Rng(1)).Save(mnistClassifier, 0.1);
        Assert.Contains("is a mnist classifier", Sharpgan("eval", "metrics", "--run", run, "--data-dir", data, "--classifier", mnistClassifier).Err);
    }

    [Fact]
    public void ExportedGeneratorsSampleExactlyAsTheRun()
    {
        string run = Path.Combine(_dir, "run");
        Assert.Equal(0, Sharpgan("train", "--config", SmallConfigFile(3), "--ema", "0.9", "--out", run).Code);
        string generator = Path.Combine(_dir, "g.safetensors"), onnx = Path.Combine(_dir, "g.onnx"), d = Path.Combine(_dir, "d.onnx");
        var written = Sharpgan("export", "--run", run, "--out", generator);
        Assert.Equal(0, written.Code);
        Assert.Contains("averaged generator", written.Out);
        var file = GeneratorFile.Read(generator);
        Assert.True(file.Averaged);
        var (models, _, checkpoint) = new RunDirectory(run).LoadGenerator();
        var z = new Tensor(4, models.NoiseDim);
        new Rng(5).FillUniform(z.Data, 0, 1); // in [0, 1], so the .npy below (which clamps to [0, 1]) holds it unchanged
        var expected = Samples.Draw(models, z).Data;
        Assert.Equal(expected, Samples.Draw(file.Models, z).Data);                 // the averaged G, bit for bit
        Assert.True(new FileInfo(generator).Length < new FileInfo(checkpoint).Length / 3, "G alone, without D, G's average and optimiser state");
        // --model takes the exported file where --run takes the run: the same samples for the same seed.
        string fromRun = Path.Combine(_dir, "run.npy"), fromFile = Path.Combine(_dir, "file.npy");
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--count", "8", "--out", fromRun).Code);
        Assert.Equal(0, Sharpgan("sample", "--model", generator, "--count", "8", "--out", fromFile).Code);
        Assert.Equal(File.ReadAllBytes(fromRun), File.ReadAllBytes(fromFile));
        // By name, from a models/ folder.
        Directory.CreateDirectory(Path.Combine(_dir, "models"));
        File.Copy(generator, Path.Combine(_dir, "models", "tiny.safetensors"));
        Environment.SetEnvironmentVariable("SHARPGAN_MODELS", Path.Combine(_dir, "models"));
        try
        {
            Assert.Equal(Path.Combine(_dir, "models", "tiny.safetensors"), PretrainedModels.Resolve("tiny"));
            Assert.Contains("tiny", PretrainedModels.Available());
            Assert.Equal(0, Sharpgan("sample", "--model", "tiny", "--count", "8", "--out", fromFile).Code);
            Assert.Equal(File.ReadAllBytes(fromRun), File.ReadAllBytes(fromFile));
            // `models` lists it with its card's numbers, and says when the file is not the one the card measured.
            string tiny = Path.Combine(_dir, "models", "tiny.safetensors");
            Assert.Contains("no card", Sharpgan("models").Out);
            var card = new ModelCard
            {
                Name = "tiny", Sha256 = ModelCard.HashOf(tiny), Preset = "mnist-paper", Commands = ["sharpgan train"], Epochs = 0.5,
                TrainingMinutes = 1, Machine = "test", Parzen = new(-12.5, 1.3, 0.2, 100, 1), Metrics = new(99.5, 2, 3, 0.1, 0.2, 100, 1),
            };
            File.WriteAllText(ModelCard.PathFor(tiny), card.ToJson());
            Assert.Equal(card with { Commands = card.Commands }, ModelCard.ReadFor(tiny) with { Commands = card.Commands });
            var listed = Sharpgan("models");
            Assert.Equal(0, listed.Code);
            Assert.Contains("Parzen -12.5 ± 1.3, FD 99.50, precision 0.100, recall 0.200", listed.Out);
            Assert.DoesNotContain("WARNING", listed.Out);
            File.WriteAllText(ModelCard.PathFor(tiny), (card with { Sha256 = new string('0', 64) }).ToJson());
            Assert.Contains("WARNING: the file is not the one its card was measured on", Sharpgan("models").Out);
            File.WriteAllText(ModelCard.PathFor(tiny), "{\"name\": \"tiny\"}"); // required fields missing
            Assert.Throws<InvalidDataException>(() => ModelCard.ReadFor(tiny));
            Assert.Contains("card unreadable: " + ModelCard.PathFor(tiny), Sharpgan("models").Out);
        }
        finally { Environment.SetEnvironmentVariable("SHARPGAN_MODELS", null); }
        Assert.Equal(0, Sharpgan("export", "--run", run, "--raw-generator", "--out", generator).Code);
        Assert.False(GeneratorFile.Read(generator).Averaged);
        Assert.Equal(0, Sharpgan("export", "--run", run, "--out", onnx).Code);
        Assert.Equal(0, Sharpgan("export", "--run", run, "--what", "discriminator", "--out", d).Code);
        Assert.True(new FileInfo(onnx).Length > 0 && new FileInfo(d).Length > 0);
        // sample --noise runs G on the given z.
        string zFile = Path.Combine(_dir, "z.npy"), samples = Path.Combine(_dir, "s.npy");
        SampleFile.WriteNpy(zFile, z.Data, 4, models.NoiseDim);
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--noise", zFile, "--out", samples).Code);
        Assert.Equal(expected, SampleFile.Read(samples, models.SampleDim).Values);
    }

    [Fact]
    public void ConditionalModelsSampleAndInterpolateByClass()
    {
        string run = Path.Combine(_dir, "cgan"), config = Path.Combine(_dir, "cgan.json");
        File.WriteAllText(config, ConfigIo.ToJson(TrainerTests.Small(3) with { Model = TrainerTests.Small(3).Model with { Conditional = true } }));
        Assert.Equal(0, Sharpgan("train", "--config", config, "--out", run).Code);
        string png = Path.Combine(_dir, "c.png"), npy = Path.Combine(_dir, "c.npy");
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--out", png).Code);                        // a row per class
        Assert.Contains("not a multiple of the 10 classes", Sharpgan("sample", "--run", run, "--count", "15", "--out", png).Err);
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--class", "3", "--count", "15", "--out", png).Code);
        Assert.Contains("classes 0 to 9", Sharpgan("sample", "--run", run, "--class", "12", "--out", png).Err);
        Assert.Equal(0, Sharpgan("sample", "--run", run, "--class", "3", "--count", "4", "--out", npy).Code);
        // --class 3 asks G for class 3: the same as drawing with labels 3 from the library.
        var (models, cfg, _) = new RunDirectory(run).LoadGenerator();
        var expected = Samples.Draw(models, cfg.Model.NoisePrior, 4, new Rng(1), [3, 3, 3, 3]).Data;
        Assert.Equal(expected, SampleFile.Read(npy, 784).Values);
        Assert.Equal(0, Sharpgan("interpolate", "--run", run, "--class", "5", "--rows", "2", "--out", png).Code);
        Assert.Equal(0, Sharpgan("interpolate", "--run", run, "--classes", "3,8", "--rows", "2", "--out", png).Code);
        Assert.Contains("--classes expects two classes", Sharpgan("interpolate", "--run", run, "--classes", "3", "--out", png).Err);
        Assert.Contains("pass one", Sharpgan("interpolate", "--run", run, "--class", "1", "--classes", "3,8", "--out", png).Err);
        Assert.Equal(0, Sharpgan("export", "--run", run, "--out", Path.Combine(_dir, "cg.onnx")).Code);
    }

    [Fact]
    public void ClassOptionsAreRefusedForAnUnconditionalModel()
    {
        string run = Path.Combine(_dir, "plain");
        Assert.Equal(0, Sharpgan("train", "--config", SmallConfigFile(2), "--out", run).Code);
        string png = Path.Combine(_dir, "p.png");
        Assert.Contains("not conditional", Sharpgan("sample", "--run", run, "--class", "3", "--out", png).Err);
        Assert.Contains("not conditional", Sharpgan("interpolate", "--run", run, "--classes", "3,8", "--out", png).Err);
    }
    [Fact]
    public void TrainServesItsDashboardAndServersRefuseBadAddresses()
    {
        string config = SmallConfigFile(30), run = Path.Combine(_dir, "served");
        var served = Sharpgan("train", "--config", config, "--out", run, "--serve", "0");
        Assert.Equal(0, served.Code);
        Assert.Matches(@"dashboard: http://127\.0\.0\.1:\d+/", served.Out);
        var badPort = Sharpgan("train", "--config", config, "--out", Path.Combine(_dir, "x"), "--serve", "70000");
        Assert.Equal(2, badPort.Code);
        Assert.Contains("--serve 70000", badPort.Err);
        var badHost = Sharpgan("lab", "--host", "not-an-address");
        Assert.Equal(2, badHost.Code);
        Assert.Contains("not an IP address", badHost.Err);
        var noRun = Sharpgan("watch", Path.Combine(_dir, "nowhere"));
        Assert.Equal(2, noRun.Code);
        Assert.Contains("no such run directory", noRun.Err);
        var badData = Sharpgan("lab", "--data", "moons");
        Assert.Equal(2, badData.Code);
        Assert.Contains("data 'moons'", badData.Err);
    }
}
