using System.CommandLine;
using System.Text.Json;
using SharpGan.Data;
using SharpGan.Evaluation;

namespace SharpGan.Cli;

/// <summary>`sharpgan eval metrics`: classifier-feature Fréchet distance, score, class coverage, precision/recall.</summary>
internal static class MetricsCommand
{
    private static readonly GeneratorOptions Generator = new();
    private static readonly Option<FileInfo?> Samples = new("--samples") { Description = "Score this sample file instead (IDX ubyte images, or .npy float32 [N, D] in [0, 1], D = the dataset's image size)" };
    private static readonly Option<string> Dataset = new("--dataset") { Description = "With --samples: the dataset they imitate", DefaultValueFactory = _ => "mnist" };
    private static readonly Option<FileInfo?> Classifier = new("--classifier") { Description = "Classifier file (default: the one `sharpgan classifier train` saved for the run's dataset)" };
    private static readonly Option<int> Count = new Option<int>("--count") { Description = "Samples (and reference images)", DefaultValueFactory = _ => 10_000 }.InRange(1, 100000);
    private static readonly Option<long> Seed = new("--seed") { Description = "Noise seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    public static Command Create()
    {
        var command = new Command("metrics", "Fréchet distance, classifier score, classes covered and precision/recall, beside the real-data floor.");
        foreach (var o in Generator.All.Concat(new Option[] { Samples, Dataset, Classifier, Count, Seed, DataDir, Json })) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        int count = parse.GetValue(Count);
        if (count < 10) throw new UserError($"--count must be at least 10, got {count}");
        var set = SampleSource.Resolve(parse, Generator, Samples, Count, Seed, Dataset);
        if (set.Count < 10) throw new UserError($"{set.Source}: holds {set.Count} samples; the metrics need at least 10");
        var (samples, dataset, path) = (set.Values, set.Dataset, set.Source);
        var (classifier, accuracy) = FeatureClassifier.LoadFor(dataset, parse.GetValue(Classifier)?.FullName, "eval metrics");
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        var test = DatasetCatalog.Load(dataset, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        var train = DatasetCatalog.Load(dataset, DatasetSplit.Train, PixelRange.ZeroOne, locator);
        int n = Math.Min(set.Count, Math.Min(test.Count, train.Count));
        // The test images' features and the floor (real train images vs test: the best a model can do) depend on the
        // classifier and the data alone: computed once, then read from the user cache.
        var (reference, floor) = MetricsReferenceCache.Get(classifier, test, train, n);
        var model = FeatureSpaceMetrics.Compute(classifier, samples, n, reference);
        // A conditional generator: did it give the class it was asked for, and how close is each class to the real one?
        var byClass = set.Labels is { } asked
            ? ConditionalMetrics.Compute(classifier, samples, asked.AsSpan(0, n), n, test.Pixels, test.Labels.AsSpan(0, n), n, 10)
            : null;
        if (parse.GetValue(Json))
        {
            // Keys as eval parzen's (source, dataset, samples); fractions to 4 decimals, distances and scores to 3.
            object Row(FeatureSpaceScores r) => new
            {
                frechet_distance = Math.Round(r.FrechetDistance, 3), classifier_score = Math.Round(r.ClassifierScore, 3), classes_covered = r.ClassesCovered,
                class_histogram = r.ClassHistogram.Select(h => Math.Round(h, 4)), precision = Math.Round(r.Precision, 4), recall = Math.Round(r.Recall, 4),
            };
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                source = path, dataset, samples = n, classifier_test_accuracy = Math.Round(accuracy, 4), model = Row(model), real_data_floor = Row(floor),
                conditional = byClass is null ? null : new
                {
                    agreement = Math.Round(byClass.Agreement, 4),
                    agreement_by_class = byClass.AgreementByClass.Select(a => Math.Round(a, 4)),
                    frechet_distance_by_class = byClass.FrechetByClass.Select(f => Math.Round(f, 3)),
                },
            }));
            return 0;
        }
        Console.WriteLine($"{n} samples from {Path.GetFileName(path)} vs {n} {dataset} test images (classifier test accuracy {accuracy:P2})");
        Console.WriteLine($"{"",-22}{"model",10}{"real data",12}");
        Console.WriteLine($"{"Fréchet distance",-22}{model.FrechetDistance,10:F2}{floor.FrechetDistance,12:F2}");
        Console.WriteLine($"{"classifier score",-22}{model.ClassifierScore,10:F2}{floor.ClassifierScore,12:F2}");
        Console.WriteLine($"{"classes covered",-22}{model.ClassesCovered,10}{floor.ClassesCovered,12}");
        Console.WriteLine($"{"precision",-22}{model.Precision,10:F3}{floor.Precision,12:F3}");
        Console.WriteLine($"{"recall",-22}{model.Recall,10:F3}{floor.Recall,12:F3}");
        Console.WriteLine("class histogram: " + string.Join(" ", model.ClassHistogram.Select((h, c) => $"{c}:{h:P0}")));
        if (byClass is not null)
        {
            Console.WriteLine($"asked class given: {byClass.Agreement:P2} of samples (the classifier's verdict; by class {string.Join(" ", byClass.AgreementByClass.Select((a, c) => $"{c}:{a:P0}"))})");
            Console.WriteLine("Fréchet distance by class: " + string.Join(" ", byClass.FrechetByClass.Select((f, c) => $"{c}:{f:F1}")));
        }
        return 0;
    }
}
