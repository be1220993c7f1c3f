using System.CommandLine;
using SharpGan.Data;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>Samples to evaluate, in [0, 1], with the dataset they imitate and where they came from.</summary>
internal sealed record LoadedSamples(float[] Values, int Count, int Height, int Width, int Channels, string Dataset, string Source)
{
    /// <summary>The class each sample was asked for, when a conditional generator drew them (the classes in turn); else null.</summary>
    public byte[]? Labels { get; init; }

    /// <summary>Values per sample.</summary>
    public int Dimension => Height * Width * Channels;
}

/// <summary>The eval commands' sources of samples: a generator (--run or --model) or a file from anywhere (--samples).</summary>
internal static class SampleSource
{
    /// <summary>
    /// Draws --count samples from the run's checkpoint, or reads up to --count from the file (sized for --dataset's
    /// images). A file holding fewer than an explicit --count is refused; with the default count, all it holds are used.
    /// </summary>
    public static LoadedSamples Resolve(ParseResult parse, GeneratorOptions generator, Option<FileInfo?> samples,
        Option<int> count, Option<long> seed, Option<string> dataset) =>
        Resolve(parse, generator, samples, count, seed, dataset, repeats: 1).First();

    /// <summary>
    /// As above, <paramref name="repeats"/> independent sets from a run (noise seeds --seed, --seed + 1, …), to measure
    /// how much a score owes to the draw of samples. A file is one set: more than one is refused. The generator is loaded
    /// at once; each draw is made as the sequence reaches it, so only one set is in memory at a time.
    /// </summary>
    public static IEnumerable<LoadedSamples> Resolve(ParseResult parse, GeneratorOptions generator, Option<FileInfo?> samples,
        Option<int> count, Option<long> seed, Option<string> dataset, int repeats)
    {
        var samplesFile = parse.GetValue(samples);
        if (generator.Given(parse) == (samplesFile is not null)) throw new UserError("give exactly one of --run RUN_DIR, --model NAME or --samples FILE");
        int requested = parse.GetValue(count);
        if (samplesFile is not null)
        {
            if (repeats > 1) throw new UserError("--repeats draws new sample sets from a generator (--run or --model); a --samples file is one set");
            string name = parse.GetValue(dataset)!;
            var (h, w, c) = DatasetCatalog.ImageShape(name);
            var (held, _, values) = SampleFile.Read(samplesFile.FullName, h * w * c);
            if (held < requested && parse.GetResult(count) is { Implicit: false })
                throw new UserError($"{samplesFile.FullName}: holds {held} samples, fewer than the {requested} requested with --count");
            return [new LoadedSamples(values, Math.Min(requested, held), h, w, c, name, samplesFile.FullName)];
        }
        var (models, config, path) = generator.Load(parse, "--samples FILE");
        return Enumerable.Range(0, repeats).Select(r =>
        {
            // A conditional generator is asked for the classes in turn: 10 000 samples are 1 000 of each of 10 classes.
            byte[]? labels = models.Classes > 0 ? Enumerable.Range(0, requested).Select(i => (byte)(i % models.Classes)).ToArray() : null;
            var drawn = Samples.Draw(models, config.Model.NoisePrior, requested, new Rng(unchecked((ulong)(parse.GetValue(seed) + r))), labels).Data;
            config.PixelRange.ToUnitRange(drawn);
            return new LoadedSamples(drawn, requested, models.SampleHeight, models.SampleWidth, models.SampleChannels, config.Dataset, path) { Labels = labels };
        });
    }
}
