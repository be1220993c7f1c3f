using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>`--eval-every`: sample quality measured during training, written to metrics.csv, without disturbing training.</summary>
public class QualityDuringTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-eval-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TrainingQualityProbe Probe()
    {
        // An untrained classifier still defines a feature space: enough to check the plumbing and the determinism.
        var classifier = new FeatureClassifier("mnist", new Rng(5));
        var test = DatasetCatalog.Load("mnist", DatasetSplit.Test, PixelRange.ZeroOne, TestData.Locator());
        var validation = DatasetCatalog.Load("mnist", DatasetSplit.Validation, PixelRange.ZeroOne, TestData.Locator());
        return new TrainingQualityProbe(classifier, test, 200, validation);
    }

    [Fact]
    public void MeasurementsLandInMetricsCsvAndLeaveTrainingUnchanged()
    {
        var config = TrainerTests.Small(30) with { Training = TrainerTests.Small(30).Training with { EvalEvery = 12, EvalSamples = 200 } };
        var plainRun = new RunDirectory(Path.Combine(_dir, "plain"));
        var plain = new GanTrainer(config, TestData.Mnist(1000), plainRun);
        plain.Train();
        var measuredRun = new RunDirectory(Path.Combine(_dir, "measured"));
        var measured = new GanTrainer(config, TestData.Mnist(1000), measuredRun) { QualityProbe = Probe() };
        measured.Train();

        // Same weights with and without measuring: the probe draws its own noise and samples in eval mode.
        foreach (var ((name, a), (_, b)) in plain.Models.Generator.NamedState().Zip(measured.Models.Generator.NamedState()))
            Assert.True(a.Data.AsSpan().SequenceEqual(b.Data), name);

        var rows = new MetricsLog(measuredRun.MetricsPath, long.MaxValue).Rows;
        Assert.Equal([12L, 24L], rows.Where(r => r.Quality is not null).Select(r => r.Step));
        Assert.Equal([10L, 12L, 20L, 24L, 30L], rows.Select(r => r.Step)); // log_every 10 plus the measured steps
        var q = rows.First(r => r.Quality is not null).Quality!;
        Assert.True(q.FrechetDistance > 0 && double.IsFinite(q.FrechetDistance));
        Assert.InRange(q.ClassesCovered, 1, 10);
        Assert.InRange(q.Precision, 0, 1);
        Assert.InRange(q.Recall, 0, 1);
        Assert.NotNull(q.ParzenLogLikelihood);
        Assert.Contains("Fréchet distance", File.ReadAllText(measuredRun.ChartPath));
        Assert.All(new MetricsLog(plainRun.MetricsPath, long.MaxValue).Rows, r => Assert.Null(r.Quality));
    }

    [Fact]
    public void MetricsLogRoundTripsQualityAndUpgradesNineColumnFiles()
    {
        string path = Path.Combine(_dir, "metrics.csv");
        File.WriteAllText(path, "step,epoch,d_loss,g_loss,d_real,d_fake,lr,momentum,samples_per_sec\n50,1.0000,0.69,0.7,0.5,0.49,0.1,0.5,1000.0\n100,2.0000,0.6,0.8,0.6,0.4,0.1,0.5,1000.0\n");
        var log = new MetricsLog(path, keepThroughStep: 100);
        Assert.Equal(2, log.Rows.Count);
        Assert.StartsWith("step,epoch,d_loss,g_loss,d_real,d_fake,lr,momentum,samples_per_sec,fd,", File.ReadAllLines(path)[0]);
        log.Append(new MetricsRow(150, 3, 0.5, 1, 0.7, 0.3, 0.1, 0.5, 900) { Quality = new SampleQuality(12.5, 8.25, 9, 0.75, 0.5, null) });
        var back = new MetricsLog(path, long.MaxValue).Rows;
        Assert.Equal(3, back.Count);
        Assert.Null(back[1].Quality);
        Assert.Equal(new SampleQuality(12.5, 8.25, 9, 0.75, 0.5, null), back[2].Quality);
    }
}
