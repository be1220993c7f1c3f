using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Nn;
using SharpGan.Tensors;
using SharpGan.Training;
using Xunit;

namespace SharpGan.Tests;

/// <summary>Semi-supervised GAN training (Salimans et al. 2016): the labelled subset, exact resume, the evaluation.</summary>
public class SemiSupervisedTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sharpgan-semi-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // 1 000 training images in batches of 50: 20 iterations an epoch.
    private static SemiSupervisedConfig Small(int epochs, int labels = 20, long seed = 1) => new() { Labels = labels, Seed = seed, Epochs = epochs, BatchSize = 50 };

    private SemiSupervisedTrainer Trainer(SemiSupervisedConfig config, string name, string? resume = null) =>
        new(config, TestData.Mnist(1000), new RunDirectory(Path.Combine(_dir, name)), resume);

    [Fact]
    public void TheLabelledImagesAreBalancedAndFollowTheSeed()
    {
        var a = Trainer(Small(1, labels: 30), "a").LabelledIndices;
        Assert.Equal(30, a.Count);
        var labels = TestData.Mnist(1000).Labels;
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(3, a.Count(i => labels[i] == c)));
        Assert.Equal(a, Trainer(Small(1, labels: 30), "b").LabelledIndices);
        Assert.NotEqual(a, Trainer(Small(1, labels: 30, seed: 2), "c").LabelledIndices);
    }

    [Fact]
    public void AResumedRunIsBitIdenticalToAnUninterruptedOne()
    {
        var straight = Trainer(Small(2), "straight");
        straight.Train();
        // Stopped mid-epoch (as Ctrl-C does: a checkpoint at iteration 13), then resumed with the same config.
        using var stop = new CancellationTokenSource();
        Trainer(Small(2), "split").Train(stop.Token, onIteration: (i, _) => { if (i == 13) stop.Cancel(); });
        var resumed = Trainer(Small(2), "split", new RunDirectory(Path.Combine(_dir, "split")).LatestCheckpoint());
        Assert.Equal(13, resumed.Iteration);
        resumed.Train();
        Assert.Equal(40, resumed.Iteration);
        float[] Weights(SemiSupervisedTrainer t) => t.Discriminator.NamedState().Concat(t.Generator.NamedState()).Concat(t.Classifier.NamedState()).SelectMany(p => p.Value.Data).ToArray();
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(straight.History.Select(h => h.DiscriminatorLoss), resumed.History.Select(h => h.DiscriminatorLoss));
        // Each epoch leaves G's grid for the run's fixed z; the resumed run draws the same z, so the same picture.
        string Grid(string run, string name) => Path.Combine(_dir, run, "samples", name);
        Assert.True(File.Exists(Grid("straight", "epoch-0001.png")) && File.Exists(Grid("split", "epoch-0002.png")));
        Assert.Equal(File.ReadAllBytes(Grid("straight", "latest.png")), File.ReadAllBytes(Grid("split", "latest.png")));
        Assert.NotEqual(File.ReadAllBytes(Grid("straight", "epoch-0001.png")), File.ReadAllBytes(Grid("straight", "latest.png")));
        // Another config than the checkpoint's (not only a longer run) is refused.
        Assert.Throws<InvalidDataException>(() => Trainer(Small(2) with { LearningRate = 0.001f }, "split", new RunDirectory(Path.Combine(_dir, "split")).LatestCheckpoint()));
    }

    [Fact]
    public void TheRunIsTestedWithWhicheverNetworkErrsLessOnTheValidationImages()
    {
        var trained = Trainer(Small(1), "choice");
        trained.Train();
        // Images the run never saw: the 500 after its 1 000 (the CLI passes train[50000:60000]).
        var validation = TestData.Mnist(1500);
        validation = new ImageDataset(500, 28, 28, 1, validation.Pixels[(1000 * 784)..], validation.Labels[1000..]);
        var choice = SemiSupervisedEvaluation.ChooseClassifier(trained, validation);
        Assert.Equal([ClassifierCandidate.AverageName, ClassifierCandidate.LiveName], choice.Candidates.Select(k => k.Name));
        Assert.Same(trained.Classifier, choice.Candidates[0].Network);
        Assert.Same(trained.Discriminator, choice.Candidates[1].Network);
        foreach (var k in choice.Candidates) Assert.Equal(ClassifierEvaluation.Evaluate(k.Network, validation, 10).Errors, k.ValidationErrors);
        // Twenty updates in, the zero-started average holds 0.2 % of the weights' mean, so its biases swamp the rest: D
        // wins clearly (235 against 292 errors of 500 when written).
        Assert.Same(choice.Candidates[1], choice.Chosen);
        Assert.True(choice.Candidates[0].ValidationErrors > choice.Candidates[1].ValidationErrors + 25, string.Join(", ", choice.Candidates));
        // A tie (no validation image can be wrong) goes to the average; a run without an average has one candidate.
        Assert.Same(trained.Classifier, SemiSupervisedEvaluation.ChooseClassifier(trained, validation.Take(0)).Chosen.Network);
        var plain = Trainer(Small(1) with { EvaluationAverage = 0 }, "plain");
        Assert.Equal(ClassifierCandidate.LiveName, Assert.Single(SemiSupervisedEvaluation.ChooseClassifier(plain, validation).Candidates).Name);
    }

    [Fact]
    public void TheConfigIsCheckedFieldByField()
    {
        Assert.Contains("multiple of 10", Assert.Throws<ConfigException>(() => Small(1, labels: 15).Validate()).Message);
        Assert.Contains("mnist or fashion-mnist", Assert.Throws<ConfigException>(() => (Small(1) with { Dataset = "cifar10" }).Validate()).Message);
        Assert.Contains("decay_from", Assert.Throws<ConfigException>(() => (Small(1) with { DecayFrom = 2 }).Validate()).Message);
    }

    private sealed class Constant(int classes, Func<int, int> predict) : Module
    {
        private int _row;
        public override Tensor Forward(Tensor input)
        {
            var y = new Tensor(input.Shape[0], classes);
            for (int i = 0; i < input.Shape[0]; i++) y.Data[i * classes + predict(_row++)] = 1f;
            return y;
        }
    }

    [Fact]
    public void EvaluationCountsErrorsAndFillsTheConfusionMatrix()
    {
        var data = TestData.Mnist(1000);
        // Predicts the true class except for every fourth image, which it calls 0.
        var result = ClassifierEvaluation.Evaluate(new Constant(10, i => i % 4 == 3 ? 0 : data.Labels[i]), data, 10);
        int expectedErrors = Enumerable.Range(0, 1000).Count(i => i % 4 == 3 && data.Labels[i] != 0);
        Assert.Equal(expectedErrors, result.Errors);
        Assert.Equal(1000, Enumerable.Range(0, 10).Sum(t => Enumerable.Range(0, 10).Sum(p => result.Confusion[t, p])));
        Assert.Equal(1.0, result.AccuracyByClass[0]);
        Assert.True(result.AccuracyByClass[1] < 0.8);
    }
}
