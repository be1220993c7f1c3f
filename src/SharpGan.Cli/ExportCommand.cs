using System.CommandLine;
using SharpGan.Data;
using SharpGan.Export;
using SharpGan.IO;
using SharpGan.Models;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>`sharpgan export`: a run's generator (or discriminator) as ONNX, or its generator alone as safetensors.</summary>
internal static class ExportCommand
{
    private static readonly Option<DirectoryInfo> Run = new("--run") { Description = "Run directory", Required = true };
    private static readonly Option<FileInfo?> CheckpointFile = new("--checkpoint") { Description = "A specific checkpoint (default: the run's latest)" };
    private static readonly Option<string?> Format = new Option<string?>("--format") { Description = "onnx or safetensors (default: from --out's extension)" }.OneOf("onnx", "safetensors");
    private static readonly Option<string> What = new Option<string>("--what") { Description = "generator or discriminator (ONNX only)", DefaultValueFactory = _ => "generator" }.OneOf("generator", "discriminator");
    private static readonly Option<bool> RawGenerator = SharedOptions.RawGenerator();
    private static readonly Option<FileInfo> Out = new("--out") { Description = "File to write (.onnx or .safetensors)", Required = true };

    public static Command Create()
    {
        var command = new Command("export", "Write a trained generator (or discriminator) as ONNX for ONNX Runtime, or the generator alone as a small safetensors file.");
        foreach (var o in new Option[] { Run, CheckpointFile, Format, What, RawGenerator, Out }) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var (outPath, extension) = OutputFile.Check(parse.GetValue(Out)!, (".onnx", "ONNX"), (".safetensors", "a generator file"));
        string format = parse.GetValue(Format) ?? extension.TrimStart('.');
        if ("." + format != extension) throw new UserError($"{outPath}: --format {format} writes {format} files; --out ends in '{extension}'");
        bool discriminator = parse.GetValue(What) == "discriminator";
        if (discriminator && format == "safetensors") throw new UserError("--what discriminator: only ONNX exports D; the safetensors export is the generator alone");
        bool raw = parse.GetValue(RawGenerator);
        if (discriminator && raw) throw new UserError("--raw-generator chooses which generator to export; it does not apply to --what discriminator");
        var run = new RunDirectory(parse.GetValue(Run)!.FullName);
        string? checkpoint = parse.GetValue(CheckpointFile)?.FullName;
        var (models, config, path) = discriminator ? run.LoadModels(checkpoint) : run.LoadGenerator(checkpoint, raw);
        bool averaged = models.AveragedGenerator is not null;
        var generator = models.SamplingGenerator;
        string which = discriminator ? "discriminator" : averaged ? "averaged generator" : "generator";
        var module = discriminator ? models.Discriminator : generator;
        if (format == "safetensors")
            GeneratorFile.Write(outPath, generator, config, averaged, Path.GetFileName(path));
        else
        {
            var metadata = new Dictionary<string, string>
            {
                ["sharpgan.what"] = which,
                ["sharpgan.architecture"] = config.Model.Architecture.Name(),
                ["sharpgan.dataset"] = config.Dataset,
                ["sharpgan.pixel_range"] = $"[{config.PixelRange.Low()}, 1]",
                ["sharpgan.noise_prior"] = config.Model.NoisePrior.ToString(),
                ["sharpgan.source"] = Path.GetFileName(path),
            };
            AtomicFile.WriteAllBytes(outPath, discriminator ? OnnxExport.Discriminator(models, metadata) : OnnxExport.Generator(models, generator, metadata));
        }
        string shape = $"{models.SampleChannels}, {models.SampleHeight}, {models.SampleWidth}";
        string signature = format == "safetensors" ? $"{module.NamedState().Sum(p => (long)p.Value.Length):N0} values"
            : discriminator ? $"ONNX opset {OnnxExport.Opset}: images [batch, {shape}] → logit, probability [batch, 1]"
            : $"ONNX opset {OnnxExport.Opset}: z [batch, {models.NoiseDim}] ({config.Model.NoisePrior}) → images [batch, {shape}] in [{config.PixelRange.Low()}, 1]";
        Console.WriteLine($"wrote the {which} of {Path.GetFileName(path)} to {outPath} ({new FileInfo(outPath).Length / 1e6:F1} MB; {signature})");
        return 0;
    }
}
