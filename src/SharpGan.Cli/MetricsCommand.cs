using System.CommandLine;
using System.Text.Json;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.Tensors;

namespace SharpGan.Cli;

/// <summary>`sharpgan eval metrics`: classifier-feature Fréchet distance, score, class coverage, precision/recall.</summary>
internal static class MetricsCommand
{
    private static readonly Option<DirectoryInfo?> Run = new("--run") { Description = "Run directory" };
    private static readonly Option<FileInfo?> Samples = new("--samples") { Description = "Score this sample file instead (IDX ubyte images, or .npy float32 [N, D] in [0, 1], D = the dataset's image size)" };
    private static readonly Option<string> Dataset = new("--dataset") { Description = "With --samples: the dataset they imitate", DefaultValueFactory = _ => "mnist" };
    private static readonly Option<FileInfo?> CheckpointFile = new("--checkpoint") { Description = "A specific checkpoint (default: the run's latest)" };
    private static readonly Option<FileInfo?> Classifier = new("--classifier") { Description = "Classifier file (default: the one `sharpgan classifier train` saved for the run's dataset)" };
    private static readonly Option<int> Count = new("--count") { Description = "Samples (and reference images)", DefaultValueFactory = _ => 10_000 };
    private static readonly Option<long> Seed = new("--seed") { Description = "Noise seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };

    public static Command Create()
    {
        var command = new Command("metrics", "Fréchet distance, classifier score, classes covered and precision/recall, beside the real-data floor.");
        foreach (var o in new Option[] { Run, Samples, Dataset, CheckpointFile, Classifier, Count, Seed, DataDir, Json }) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        int count = parse.GetValue(Count);
        if (count < 10) throw new UserError($"--count must be at least 10, got {count}");
        var runDir = parse.GetValue(Run);
        var samplesFile = parse.GetValue(Samples);
        if ((runDir is null) == (samplesFile is null)) throw new UserError("give exactly one of --run RUN_DIR or --samples FILE");
        float[] samples;
        string dataset, path;
        if (samplesFile is not null)
        {
            var (h, w, c) = DatasetCatalog.ImageShape(parse.GetValue(Dataset)!);
            var (fileCount, _, values) = SampleFile.Read(samplesFile.FullName, h * w * c);
            if (fileCount < count && parse.GetResult(Count) is { Implicit: false })
                throw new UserError($"{samplesFile.FullName}: holds {fileCount} samples, fewer than the {count} requested with --count");
            count = Math.Min(count, fileCount);
            if (count < 10) throw new UserError($"{samplesFile.FullName}: holds {fileCount} samples; the metrics need at least 10");
            samples = values;
            (dataset, path) = (parse.GetValue(Dataset)!, samplesFile.FullName);
        }
        else
        {
            var (models, config, checkpoint) = SampleCommand.LoadGenerator(runDir!, parse.GetValue(CheckpointFile));
            samples = Sampling.Generate(models, config.Model.NoisePrior, count, new Rng((ulong)parse.GetValue(Seed))).Data;
            config.PixelRange.ToUnitRange(samples);
            (dataset, path) = (config.Dataset, checkpoint);
        }
        string classifierPath = parse.GetValue(Classifier)?.FullName ?? FeatureClassifier.DefaultPath(dataset);
        if (!File.Exists(classifierPath))
            throw new UserError($"no classifier for {dataset} at {classifierPath}; train one with `sharpgan classifier train --dataset {dataset}`");
        var (classifier, accuracy) = FeatureClassifier.Load(classifierPath);
        if (classifier.Dataset != dataset)
            throw new UserError($"{classifierPath} is a {classifier.Dataset} classifier; these samples imitate {dataset}");
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        var test = DatasetCatalog.Load(dataset, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        var train = DatasetCatalog.Load(dataset, DatasetSplit.Train, PixelRange.ZeroOne, locator);
        int n = Math.Min(count, Math.Min(test.Count, train.Count));
        var reference = new MetricsReference(classifier, test.Pixels, n);
        var model = SampleMetrics.Compute(classifier, samples, n, reference);
        var floor = SampleMetrics.Compute(classifier, train.Pixels, n, reference); // real train images vs test: the best a model can do
        if (parse.GetValue(Json))
        {
            object Row(SampleMetricsResult r) => new { frechet_distance = r.FrechetDistance, classifier_score = r.ClassifierScore, classes_covered = r.ClassesCovered, class_histogram = r.ClassHistogram, precision = r.Precision, recall = r.Recall };
            Console.WriteLine(JsonSerializer.Serialize(new { checkpoint = path, dataset = dataset, samples = n, classifier_test_accuracy = accuracy, model = Row(model), real_data_floor = Row(floor) }));
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
        return 0;
    }
}
