using System.CommandLine;
using SharpGan.Gan;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>
/// The options that name a generator to sample from: a run (--run RUN [--checkpoint FILE] [--raw-generator]) or a
/// generator file (--model NAME from models/, or --model FILE.safetensors from `sharpgan export`). One instance a command.
/// </summary>
internal sealed class GeneratorOptions
{
    public Option<DirectoryInfo?> Run { get; } = new("--run") { Description = "Run directory whose latest checkpoint draws the samples" };
    public Option<FileInfo?> Checkpoint { get; } = new("--checkpoint") { Description = "A specific checkpoint of the run (default: its latest)" };
    public Option<bool> RawGenerator { get; } = SharedOptions.RawGenerator();
    public Option<string?> Model { get; } = new("--model") { Description = "A pretrained model by name (models/NAME.safetensors, e.g. mnist-paper) or a generator file from `sharpgan export`" };

    /// <summary>All four, to add to a command.</summary>
    public IEnumerable<Option> All => [Run, Checkpoint, RawGenerator, Model];

    /// <summary>Whether a generator was named at all.</summary>
    public bool Given(ParseResult parse) => parse.GetValue(Run) is not null || parse.GetValue(Model) is not null;

    /// <summary>Loads the generator named; <paramref name="alternative"/> words the other choice a command offers, if any.</summary>
    public (GanModels Models, GanConfig Config, string Source) Load(ParseResult parse, string? alternative = null)
    {
        var run = parse.GetValue(Run);
        string? model = parse.GetValue(Model);
        string choices = "--run RUN_DIR or --model NAME" + (alternative is null ? "" : $" or {alternative}");
        if (run is null && model is null) throw new UserError($"needs {choices}");
        if (run is not null && model is not null) throw new UserError($"give one of {choices}");
        if (model is not null)
        {
            if (parse.GetValue(Checkpoint) is not null || parse.GetValue(RawGenerator))
                throw new UserError("--checkpoint and --raw-generator choose within a run; --model names one generator");
            var file = GeneratorFile.Read(PretrainedModels.Resolve(model));
            return (file.Models, file.Config, file.Path);
        }
        return new RunDirectory(run!.FullName).LoadGenerator(parse.GetValue(Checkpoint)?.FullName, parse.GetValue(RawGenerator));
    }
}
