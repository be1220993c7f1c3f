using System.CommandLine;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Tensors;

namespace SharpGan.Cli;

/// <summary>`sharpgan classifier train`: the feature classifier behind the sample-quality metrics.</summary>
internal static class ClassifierCommand
{
    private static readonly Option<string> Dataset = new("--dataset") { Description = "mnist, fashion-mnist or cifar10", DefaultValueFactory = _ => "mnist" };
    private static readonly Option<int> Epochs = new Option<int>("--epochs") { Description = "Training epochs over all 60 000 images", DefaultValueFactory = _ => 6 }.InRange(1, 1000);
    private static readonly Option<FileInfo?> Out = new("--out") { Description = "Where to save it (default: ~/.cache/sharpgan/classifiers/DATASET.safetensors)" };
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset" };
    private static readonly Option<long> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };

    public static Command Create()
    {
        var train = new Command("train", "Train the CNN whose features define the metrics; prints its test accuracy.");
        foreach (var o in new Option[] { Dataset, Epochs, Out, DataDir, Seed }) train.Options.Add(o);
        train.SetAction(parse => Guard.Run(() => Train(parse)));
        var classifier = new Command("classifier", "The feature classifier used by `eval metrics`.");
        classifier.Subcommands.Add(train);
        return classifier;
    }

    private static int Train(ParseResult parse)
    {
        int epochs = parse.GetValue(Epochs); // range checked by the parser
        string name = parse.GetValue(Dataset)!;
        if (!DatasetCatalog.Contains(name)) throw new UserError(DatasetCatalog.UnknownMessage(name));
        // Checked before minutes of training, not after.
        string path = parse.GetValue(Out) is { } given ? OutputFile.Check(given, (".safetensors", "the classifier's weights")).Path : FeatureClassifier.DefaultPath(name);
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        var train = DatasetCatalog.Load(name, DatasetSplit.FullTrain, PixelRange.ZeroOne, locator);
        var test = DatasetCatalog.Load(name, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        var seed = (ulong)parse.GetValue(Seed);
        var classifier = new FeatureClassifier(name, new Rng(seed));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        classifier.Train(train, epochs, new Rng(seed + 1), (e, loss) => Console.WriteLine($"epoch {e}/{epochs}: loss {loss:F4} ({clock.Elapsed.TotalSeconds:F0} s)"));
        double accuracy = classifier.Accuracy(test);
        classifier.Save(path, accuracy);
        Console.WriteLine($"{name} test accuracy {accuracy:P2} ({test.Count} images); saved {path}");
        return 0;
    }
}
