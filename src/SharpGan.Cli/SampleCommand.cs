using System.CommandLine;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.IO;
using SharpGan.Imaging;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>`sharpgan sample`: a grid of samples from a run's latest (or a named) checkpoint.</summary>
internal static class SampleCommand
{
    private static readonly GeneratorOptions Generator = new();
    private static readonly SharedOptions.Grid Grid = new();
    private static readonly Option<int> Count = new Option<int>("--count") { Description = "Number of samples", DefaultValueFactory = _ => 100 }.InRange(1, 100000);
    private static readonly Option<FileInfo> Out = new("--out") { Description = "File to write: a PNG grid, or .npy (float32 [count, pixels] in [0, 1], the format `eval parzen/metrics --samples` read)", Required = true };
    private static readonly Option<long> Seed = new("--seed") { Description = "Noise seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<int?> Columns = new Option<int?>("--columns") { Description = "Samples per row (default: √count)" }.InRange(1, 10000);
    private static readonly Option<bool> Nearest = new("--nearest") { Description = "Figure 2: add a column with the training image nearest to each row's last sample" };
    private static readonly Option<FileInfo?> Noise = new("--noise") { Description = "Noise vectors z to use (.npy float32 [count, noise_dim]) instead of drawing them; --count is then the file's row count" };
    private static readonly Option<int?> Class = new Option<int?>("--class") { Description = "A conditional model's class for every sample (default: a grid with a row per class, or the classes in turn for .npy)" }.InRange(0, 255);
    private static readonly Option<DirectoryInfo?> DataDir = new("--data-dir") { Description = "Folder holding the dataset (for --nearest)" };

    public static Command Create()
    {
        var command = new Command("sample", "Draw samples from a trained generator into a PNG grid (or a .npy array).");
        foreach (var o in Generator.All.Concat(Grid.All).Concat(new Option[] { Count, Out, Seed, Columns, Class, Noise, Nearest, DataDir })) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        int count = parse.GetValue(Count);
        if (parse.GetValue(Noise) is not null && parse.GetResult(Count) is { Implicit: false }) throw new UserError("--noise gives the samples' z, one a row; --count would contradict it");
        if (parse.GetValue(Noise) is not null && parse.GetResult(Seed) is { Implicit: false }) throw new UserError("--noise gives the samples' z; --seed draws them: pass one");
        int columns = parse.GetValue(Columns) ?? (int)Math.Ceiling(Math.Sqrt(count));
        var (outPath, extension) = OutputFile.Check(parse.GetValue(Out)!, (".png", "a grid of images"), (".npy", "float32 [count, pixels] in [0, 1]"));
        var (models, config, path) = Generator.Load(parse);
        byte[]? Labels(int n) => ClassLabels(parse, models, n);
        Tensor samples;
        if (parse.GetValue(Noise) is { } noiseFile)
        {
            var (rows, _, z) = SampleFile.ReadMatrix(noiseFile.FullName, models.NoiseDim, "noise vectors");
            samples = Samples.Draw(models, Samples.WithLabels(models, Tensor.FromArray(z, rows, models.NoiseDim), Labels(rows)));
            count = rows;
            columns = parse.GetValue(Columns) ?? (int)Math.Ceiling(Math.Sqrt(count));
        }
        else if (models.Classes > 0 && parse.GetValue(Class) is null && extension == ".png" && !parse.GetValue(Nearest))
        {
            // A conditional model's grid by class: a row per class, the same z down each column.
            if (count % models.Classes != 0) throw new UserError($"a grid by class has a row per class: --count {count} is not a multiple of the {models.Classes} classes (or pass --class C)");
            columns = count / models.Classes;
            samples = Samples.Draw(models, Samples.GridInput(models, config.Model.NoisePrior, models.Classes, columns, new Rng((ulong)parse.GetValue(Seed))));
        }
        else samples = Samples.Draw(models, config.Model.NoisePrior, count, new Rng((ulong)parse.GetValue(Seed)), Labels(count));
        if (parse.GetValue(Nearest) && count % columns != 0) throw new UserError($"--nearest needs full rows: --count {count} is not a multiple of --columns {columns}");
        float low = config.PixelRange.Low();
        if (extension == ".npy")
        {
            if (parse.GetValue(Nearest)) throw new UserError("--nearest draws a figure; it needs a .png --out");
            SampleFile.WriteNpy(outPath, samples.Data, count, samples.Data.Length / count, low);
            Console.WriteLine($"wrote {count} samples from {Path.GetFileName(path)} as float32 [{count}, {samples.Data.Length / count}] in [0, 1] to {outPath}");
            return 0;
        }
        if (parse.GetValue(Nearest))
        {
            // Distances are taken in the data's own pixel range, on all 50 000 training images.
            var train = DatasetCatalog.Load(config.Dataset, DatasetSplit.Train, config.PixelRange, new DatasetLocator(parse.GetValue(DataDir)?.FullName));
            int rows = count / columns;
            var (images, _) = Figures.SamplesWithNearest(samples, rows, columns, train.Pixels, train.Count);
            ImageGrid.WritePng(outPath, images, rows * (columns + 1), models.SampleHeight, models.SampleWidth, models.SampleChannels, columns + 1, low, 1f, separatedColumn: columns, Grid.Style(parse));
            Console.WriteLine($"wrote {count} samples from {Path.GetFileName(path)} with each row's nearest training image (right column) to {outPath}");
            return 0;
        }
        ImageGrid.WritePng(outPath, samples.Data, count, models.SampleHeight, models.SampleWidth, models.SampleChannels, columns, low, 1f, style: Grid.Style(parse));
        Console.WriteLine($"wrote {count} samples from {Path.GetFileName(path)} to {outPath}");
        return 0;
    }

    // --class for every sample; null (the default labels) without it; refused for an unconditional model or a class it lacks.
    private static byte[]? ClassLabels(ParseResult parse, Gan.GanModels models, int count)
    {
        if (parse.GetValue(Class) is not { } c) return null;
        if (models.Classes == 0) throw new UserError("--class asks a conditional model for a class; this model is not conditional");
        if (c >= models.Classes) throw new UserError($"--class {c}: the model has classes 0 to {models.Classes - 1}");
        return Enumerable.Repeat((byte)c, count).ToArray();
    }
}
