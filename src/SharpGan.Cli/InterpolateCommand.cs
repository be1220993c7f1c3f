using System.CommandLine;
using SharpGan.Data;
using SharpGan.Evaluation;
using SharpGan.Gan;
using SharpGan.Imaging;
using SharpGan.Tensors;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>`sharpgan interpolate`: Figure 3, rows of samples along straight lines in z space.</summary>
internal static class InterpolateCommand
{
    private static readonly GeneratorOptions Generator = new();
    private static readonly SharedOptions.Grid Grid = new();
    private static readonly Option<int> Rows = new Option<int>("--rows") { Description = "Interpolations (one per row)", DefaultValueFactory = _ => 10 }.InRange(1, 100);
    private static readonly Option<int> Steps = new Option<int>("--steps") { Description = "Points per interpolation, endpoints included", DefaultValueFactory = _ => 10 }.InRange(2, 100);
    private static readonly Option<FileInfo> Out = new("--out") { Description = "PNG file to write", Required = true };
    private static readonly Option<int?> Class = new Option<int?>("--class") { Description = "A conditional model's class, held while z moves" }.InRange(0, 255);
    private static readonly Option<string?> Classes = new("--classes") { Description = "A,B: hold z and move a conditional model's class from A to B" };
    private static readonly Option<long> Seed = new("--seed") { Description = "Noise seed for the endpoints", DefaultValueFactory = _ => 1 };

    public static Command Create()
    {
        var command = new Command("interpolate", "Figure 3: samples along linear interpolations between random points in z space.");
        foreach (var o in Generator.All.Concat(Grid.All).Concat(new Option[] { Rows, Steps, Out, Class, Classes, Seed })) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        int rows = parse.GetValue(Rows), steps = parse.GetValue(Steps); // ranges checked by the parser
        var (outPath, _) = OutputFile.Check(parse.GetValue(Out)!, (".png", "a grid of images"));
        var (models, config, path) = Generator.Load(parse);
        var rng = new Rng((ulong)parse.GetValue(Seed));
        int? heldClass = parse.GetValue(Class);
        string? classes = parse.GetValue(Classes);
        if ((heldClass is not null || classes is not null) && models.Classes == 0) throw new UserError("--class and --classes ask a conditional model for classes; this model is not conditional");
        if (heldClass is not null && classes is not null) throw new UserError("--class holds the class while z moves, --classes moves it while z holds: pass one");
        if (heldClass >= models.Classes) throw new UserError($"--class {heldClass}: the model has classes 0 to {models.Classes - 1}");
        Tensor images;
        if (classes is not null)
        {
            var parts = classes.Split(',');
            if (parts.Length != 2 || !byte.TryParse(parts[0], out byte from) || !byte.TryParse(parts[1], out byte to) || from >= models.Classes || to >= models.Classes)
                throw new UserError($"--classes expects two classes A,B between 0 and {models.Classes - 1}; got '{classes}'");
            images = Figures.ClassInterpolation(models, config.Model.NoisePrior, rows, steps, rng, from, to);
        }
        else images = Figures.Interpolation(models, config.Model.NoisePrior, rows, steps, rng, (byte?)heldClass);
        float low = config.PixelRange.Low();
        ImageGrid.WritePng(outPath, images.Data, rows * steps, models.SampleHeight, models.SampleWidth, models.SampleChannels, steps, low, 1f, style: Grid.Style(parse));
        Console.WriteLine($"wrote {rows} interpolations of {steps} steps from {Path.GetFileName(path)} to {outPath}");
        return 0;
    }
}
