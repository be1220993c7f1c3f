using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>
/// `sharpgan semi train` and `semi eval`: semi-supervised classification with a GAN (Salimans et al. 2016, feature
/// matching), beside the same classifier trained on the labelled images alone.
/// </summary>
internal static class SemiCommand
{
    private static readonly Option<string> Dataset = new Option<string>("--dataset") { Description = "mnist or fashion-mnist", DefaultValueFactory = _ => "mnist" }.OneOf("mnist", "fashion-mnist");
    private static readonly Option<int> Labels = new Option<int>("--labels") { Description = "Labelled training images, balanced over the classes (a multiple of 10)", DefaultValueFactory = _ => 100 }.InRange(10, 50000);
    private static readonly Option<long> Seed = new("--seed") { Description = "Seed of the labelled subset, initialisation, noise and order", DefaultValueFactory = _ => 1 };
    private static readonly Option<int?> Epochs = new Option<int?>("--epochs") { Description = "Passes over the 50 000 unlabelled images (default 60)" }.InRange(1, 10000);
    private static readonly Option<int> BaselineUpdates = new Option<int>("--baseline-updates") { Description = "Updates of the labelled-only baseline (0: skip it)", DefaultValueFactory = _ => 2000 }.InRange(0, 1000000);
    private static readonly Option<FileInfo?> Config = new("--config") { Description = "Start from a JSON config (write one with --print-config); --dataset, --labels, --seed and --epochs given on the line override it" };
    private static readonly Option<bool> PrintConfig = new("--print-config") { Description = "Print the full JSON config (every setting: rate, its decay, averaging, widths of z…) and exit" };
    private static readonly Option<DirectoryInfo?> Out = new("--out") { Description = "Run directory (default runs/semi-DATASET-LABELS-sSEED)" };
    private static readonly Option<DirectoryInfo?> Resume = new("--resume") { Description = "Continue this run from its latest checkpoint" };
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset" };
    private static readonly Option<DirectoryInfo> EvalRun = new("--run") { Description = "Run directory", Required = true };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };
    private static readonly Option<FileInfo?> Samples = new("--samples") { Description = "Also write G's 10×10 grid for the run's fixed z to this PNG" };

    public static Command Create()
    {
        var train = new Command("train", "Train a semi-supervised GAN classifier on a few labelled and all unlabelled training images.");
        foreach (var o in new Option[] { Dataset, Labels, Seed, Epochs, BaselineUpdates, Config, PrintConfig, Out, Resume, DataDir }) train.Options.Add(o);
        train.SetAction(parse => Guard.Run(() => ExecuteTrain(parse)));
        var eval = new Command("eval", "Test a semi-supervised run's classifier: errors, confusion matrix, accuracy by class.");
        foreach (var o in new Option[] { EvalRun, DataDir, Json, Samples }) eval.Options.Add(o);
        eval.SetAction(parse => Guard.Run(() => ExecuteEval(parse)));
        var semi = new Command("semi", "Semi-supervised classification with a GAN (paper §7, item 4).");
        semi.Subcommands.Add(train);
        semi.Subcommands.Add(eval);
        return semi;
    }

    private static int ExecuteTrain(ParseResult parse)
    {
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        SemiSupervisedConfig config;
        RunDirectory run;
        string? checkpoint = null;
        if (parse.GetValue(Resume) is { } resumeDir)
        {
            if (parse.GetValue(Config) is not null || parse.GetValue(PrintConfig)) throw new UserError("--resume continues a run with its own config; --config and --print-config start a new one");
            run = new RunDirectory(resumeDir.FullName);
            checkpoint = run.LatestCheckpoint() ?? throw new UserError($"{run.Root}: has no checkpoint to resume");
            config = SemiSupervisedTrainer.Read(checkpoint).Config;
            if (parse.GetValue(Epochs) is { } more)
            {
                if (more <= config.Epochs) throw new UserError($"--epochs {more}: the run is already set for {config.Epochs}; give more to extend it");
                config = config with { Epochs = more };
            }
        }
        else
        {
            config = FromLine(parse);
            if (parse.GetValue(PrintConfig))
            {
                Console.WriteLine(JsonSerializer.Serialize(config, ConfigIo.Options));
                return 0;
            }
            run = new RunDirectory(parse.GetValue(Out)?.FullName ?? Path.Combine("runs", $"semi-{config.Dataset}-{config.Labels}-s{config.Seed}"));
            if (run.HoldsRun) throw new UserError($"{run.Root}: already holds a run; resume it with --resume or choose another --out");
        }
        using var held = run.Lock();
        var train = DatasetCatalog.Load(config.Dataset, DatasetSplit.Train, PixelRange.ZeroOne, locator);
        var test = DatasetCatalog.Load(config.Dataset, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        Directory.CreateDirectory(run.Root);
        IO.AtomicFile.WriteAllText(run.ConfigPath, JsonSerializer.Serialize(config, ConfigIo.Options) + "\n");
        string baselinePath = Path.Combine(run.Root, "baseline.json");
        int updates = parse.GetValue(BaselineUpdates);
        if (checkpoint is null && updates > 0)
        {
            var clock = Stopwatch.StartNew();
            var baseline = ClassifierEvaluation.Evaluate(SemiSupervisedTrainer.SupervisedBaseline(config, train, updates), test, 10);
            Console.WriteLine($"baseline (the same classifier on the {config.Labels} labelled images alone, {updates} updates): {baseline.Errors} test errors of {baseline.Count} ({clock.Elapsed.TotalSeconds:F0} s)");
            IO.AtomicFile.WriteAllText(baselinePath, JsonSerializer.Serialize(new { test_errors = baseline.Errors, test_images = baseline.Count, updates }) + "\n");
        }
        var trainer = new SemiSupervisedTrainer(config, train, run, checkpoint) { TestErrors = d => ClassifierEvaluation.Evaluate(d, test, 10).Errors };
        using var stop = new StopSignals("stopping after this iteration; saving a checkpoint…");
        long lastLine = Stopwatch.GetTimestamp();
        trainer.Train(stop.Token,
            epoch => Console.WriteLine($"epoch {epoch.Epoch}/{config.Epochs}: D loss {epoch.DiscriminatorLoss:F4}, G loss {epoch.GeneratorLoss:F4}, test errors {epoch.TestErrors} ({epoch.Seconds / 60:F1} min)"),
            (iteration, total) =>
            {
                if (Stopwatch.GetElapsedTime(lastLine) < TimeSpan.FromSeconds(30)) return;
                lastLine = Stopwatch.GetTimestamp();
                Console.WriteLine($"  iteration {iteration}/{total} ({100.0 * iteration / total:F1}%)");
            });
        if (stop.Token.IsCancellationRequested)
        {
            Console.WriteLine($"stopped at iteration {trainer.Iteration}; resume with `sharpgan semi train --resume {run.Root}`");
            return 130;
        }
        var validation = DatasetCatalog.Load(config.Dataset, DatasetSplit.Validation, PixelRange.ZeroOne, locator);
        var choice = SemiSupervisedEvaluation.ChooseClassifier(trainer, validation);
        Console.WriteLine($"finished: {ClassifierEvaluation.Evaluate(choice.Chosen.Network, test, 10).Errors} test errors of {test.Count} ({ChoiceText(choice)}); "
            + $"the full report: `sharpgan semi eval --run {run.Root}`");
        return 0;
    }

    // The config a new run starts from: the file's (or the defaults), then each option the user typed.
    private static SemiSupervisedConfig FromLine(ParseResult parse)
    {
        var config = parse.GetValue(Config) is { } file ? SemiSupervisedConfig.Load(file.FullName) : new SemiSupervisedConfig();
        bool typed(Option o) => parse.GetResult(o) is { Implicit: false };
        if (typed(Dataset)) config = config with { Dataset = parse.GetValue(Dataset)! };
        if (typed(Labels)) config = config with { Labels = parse.GetValue(Labels) };
        if (typed(Seed)) config = config with { Seed = parse.GetValue(Seed) };
        if (parse.GetValue(Epochs) is { } epochs) config = config with { Epochs = epochs };
        config.Validate();
        return config;
    }

    private static int ExecuteEval(ParseResult parse)
    {
        var run = new RunDirectory(parse.GetValue(EvalRun)!.FullName);
        string? samplesPath = parse.GetValue(Samples) is { } samples ? OutputFile.Check(samples, "--samples", (".png", "an image")).Path : null;
        string checkpoint = run.LatestCheckpoint() ?? throw new UserError($"{run.Root}: has no checkpoint");
        var loaded = SemiSupervisedTrainer.Read(checkpoint);
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        var train = DatasetCatalog.Load(loaded.Config.Dataset, DatasetSplit.Train, PixelRange.ZeroOne, locator);
        var test = DatasetCatalog.Load(loaded.Config.Dataset, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        var validation = DatasetCatalog.Load(loaded.Config.Dataset, DatasetSplit.Validation, PixelRange.ZeroOne, locator);
        var trainer = new SemiSupervisedTrainer(loaded.Config, train, run, checkpoint);
        if (samplesPath is not null) trainer.WriteSampleGrid(samplesPath);
        var choice = SemiSupervisedEvaluation.ChooseClassifier(trainer, validation);
        var result = ClassifierEvaluation.Evaluate(choice.Chosen.Network, test, 10);
        // Every candidate's test errors are shown too, so a reader sees what the choice cost or gained; they played no part in it.
        var candidates = choice.Candidates.Select(k => (k.Name, k.ValidationErrors, TestErrors: k == choice.Chosen ? result.Errors : ClassifierEvaluation.Evaluate(k.Network, test, 10).Errors)).ToList();
        string baselinePath = Path.Combine(run.Root, "baseline.json");
        int? baseline = File.Exists(baselinePath) ? JsonDocument.Parse(File.ReadAllText(baselinePath)).RootElement.GetProperty("test_errors").GetInt32() : null;
        var c = loaded.Config;
        if (parse.GetValue(Json))
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                source = checkpoint, dataset = c.Dataset, labels = c.Labels, seed = c.Seed, epochs_done = trainer.History.Count,
                test_errors = result.Errors, test_images = result.Count, baseline_test_errors = baseline,
                classifier = choice.Chosen.Name, validation_images = validation.Count,
                candidates = candidates.Select(k => new { name = k.Name, validation_errors = k.ValidationErrors, test_errors = k.TestErrors }),
                accuracy_by_class = result.AccuracyByClass.Select(a => Math.Round(a, 4)),
                confusion = Enumerable.Range(0, 10).Select(t => Enumerable.Range(0, 10).Select(p => result.Confusion[t, p])),
            }));
            return 0;
        }
        Console.WriteLine($"{c.Dataset}, {c.Labels} labels (seed {c.Seed}), {trainer.History.Count} epochs: {result.Errors} test errors of {result.Count} ({100 * result.ErrorRate:F2} %)"
            + (baseline is { } b ? $"; labelled images alone: {b}" : ""));
        Console.WriteLine($"tested: {ChoiceText(choice)}; test errors of each: " + string.Join(", ", candidates.Select(k => $"{k.Name} {k.TestErrors}")));
        Console.WriteLine("accuracy by class: " + string.Join(" ", result.AccuracyByClass.Select((a, k) => $"{k}:{a:P1}")));
        Console.WriteLine("confusion (rows: true class, columns: predicted):");
        Console.WriteLine("     " + string.Concat(Enumerable.Range(0, 10).Select(p => $"{p,6}")));
        for (int t = 0; t < 10; t++) Console.WriteLine($"  {t,2} " + string.Concat(Enumerable.Range(0, 10).Select(p => $"{result.Confusion[t, p],6}")));
        return 0;
    }

    // "D itself, the fewer validation errors (average 143, D itself 127 of 10000)"
    private static string ChoiceText(ClassifierChoice choice) => choice.Candidates.Count == 1
        ? $"{choice.Chosen.Name}, the run keeps no average"
        : $"{choice.Chosen.Name}, the fewer errors on the validation images train[50000:60000] ("
          + string.Join(", ", choice.Candidates.Select(k => $"{k.Name} {k.ValidationErrors}")) + ")";
}
