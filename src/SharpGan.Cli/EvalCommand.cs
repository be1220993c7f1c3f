using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using SharpGan.Data;
using SharpGan.Evaluation;

namespace SharpGan.Cli;

/// <summary>`sharpgan eval parzen`: the paper's Table-1 protocol on a run's samples or a sample file.</summary>
internal static class EvalCommand
{
    private static readonly GeneratorOptions Generator = new();
    private static readonly Option<FileInfo?> Samples = new("--samples") { Description = "Score this sample file instead (IDX ubyte images, or .npy float32 [N, 784] in [0, 1])" };
    private static readonly Option<double?> Sigma = new("--sigma") { Description = "Fix σ instead of choosing it on validation" };
    private static readonly Option<int> Count = new Option<int>("--count") { Description = "Samples to fit the window on", DefaultValueFactory = _ => 10_000 }.InRange(1, 100000);
    private static readonly Option<long> Seed = new("--seed") { Description = "Noise seed for drawing samples", DefaultValueFactory = _ => 1 };
    private static readonly Option<string> Dataset = new("--dataset") { Description = "Dataset for validation/test with --samples", DefaultValueFactory = _ => "mnist" };
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print one JSON object" };
    private static readonly Option<int> Repeats = new Option<int>("--repeats")
    {
        Description = "Score this many independent sample sets from the run (seeds --seed, --seed+1, …) and report their mean ± standard deviation: the spread that comes from the draw of samples",
        DefaultValueFactory = _ => 1,
    }.InRange(1, 100);

    public static Command Create()
    {
        var parzen = new Command("parzen", "Gaussian Parzen-window log-likelihood (Table 1): σ by validation on train[50000:51000], test mean ± s.e.");
        foreach (var o in Generator.All.Concat(new Option[] { Samples, Sigma, Count, Seed, Repeats, Dataset, DataDir, Json })) parzen.Options.Add(o);
        parzen.SetAction(parse => Guard.Run(() => ExecuteParzen(parse)));
        var eval = new Command("eval", "Evaluate a trained generator.");
        eval.Subcommands.Add(parzen);
        eval.Subcommands.Add(MetricsCommand.Create());
        return eval;
    }

    private static int ExecuteParzen(ParseResult parse)
    {
        if (parse.GetValue(Sigma) is { } fixedSigma && !(fixedSigma > 0)) throw new UserError($"--sigma must be positive, got {fixedSigma}");
        int repeats = parse.GetValue(Repeats);
        // Draws are made and scored one at a time: --repeats 100 of 10 000 samples never holds more than one set.
        using var draws = SampleSource.Resolve(parse, Generator, Samples, Count, Seed, Dataset, repeats).GetEnumerator();
        draws.MoveNext();
        var set = draws.Current;
        if (set.Dimension != 784) throw new UserError($"the Parzen protocol is defined for 28×28 images; these samples are {set.Height}×{set.Width}×{set.Channels}");
        string datasetName = set.Dataset, source = set.Source;
        var info = DatasetCatalog.Get(datasetName);
        var locator = new DatasetLocator(parse.GetValue(DataDir)?.FullName);
        var validation = ImageDataset.Load(info, DatasetSplit.Validation, PixelRange.ZeroOne, locator).Take(1_000);
        var test = ImageDataset.Load(info, DatasetSplit.Test, PixelRange.ZeroOne, locator);
        ParzenResult Score(LoadedSamples s) => ParzenWindow.Evaluate(s.Values, s.Count, validation.Pixels, validation.Count, test.Pixels, test.Count, 784, parse.GetValue(Sigma));
        var results = new List<ParzenResult> { Score(set) };
        while (draws.MoveNext()) results.Add(Score(draws.Current));
        var r = results[0];
        double mean = results.Average(x => x.TestMean);
        // Spread over the draw of samples (sample standard deviation across repeats); the ± of one estimate is the
        // standard error over the test images, a different source of uncertainty.
        double? drawStd = repeats > 1 ? Math.Sqrt(results.Sum(x => (x.TestMean - mean) * (x.TestMean - mean)) / (repeats - 1)) : null;
        if (parse.GetValue(Json))
        {
            var json = new Dictionary<string, object?>
            {
                ["source"] = source, ["dataset"] = datasetName, ["samples"] = r.Samples, ["test_count"] = r.TestCount,
                ["sigma"] = Math.Round(r.Sigma, 4), ["test_ll"] = Math.Round(mean, 2), ["test_se"] = Math.Round(r.TestStandardError, 2),
                ["repeats"] = repeats,
                ["test_ll_by_repeat"] = results.Select(x => Math.Round(x.TestMean, 2)).ToList(),
                ["test_ll_std_over_draws"] = drawStd is { } sd ? Math.Round(sd, 2) : null,
                ["valid_ll_by_sigma"] = r.ValidationCurve.ToDictionary(c => c.Sigma.ToString("G4", CultureInfo.InvariantCulture), c => Math.Round(c.Mean, 2)),
                ["seconds"] = Math.Round(results.Sum(x => x.Seconds), 2),
            };
            Console.WriteLine(JsonSerializer.Serialize(json));
            return 0;
        }
        Console.WriteLine($"Parzen window on {r.Samples} samples from {source}");
        foreach (var (s, m) in r.ValidationCurve) Console.WriteLine($"  σ = {s,6:F4}   validation LL = {m,9:F2}{(s == r.Sigma ? "  ←" : "")}");
        Console.WriteLine($"test log-likelihood: {r.TestMean:F1} ± {r.TestStandardError:F1} (standard error over the test images; σ = {r.Sigma:F4}, {r.TestCount} {datasetName} test images, {r.Seconds:F2} s)");
        if (drawStd is { } spread)
            Console.WriteLine($"over {repeats} sample draws: {mean:F1} ± {spread:F1} (mean ± standard deviation; each draw: {string.Join(", ", results.Select(x => x.TestMean.ToString("F1", CultureInfo.InvariantCulture)))})");
        return 0;
    }
}
