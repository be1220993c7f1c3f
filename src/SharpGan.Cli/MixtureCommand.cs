using System.CommandLine;
using System.Text.Json;
using SharpGan.Experiments;
using SharpGan.Gan;

namespace SharpGan.Cli;

/// <summary>`sharpgan toy mixture`: mode coverage on 2-D Gaussian mixtures, and the Helvetica scenario.</summary>
internal static class MixtureCommand
{
    private static readonly Option<string> Layout = new("--layout") { Description = "ring8 or grid25", DefaultValueFactory = _ => "ring8" };
    private static readonly Option<DirectoryInfo> Out = new("--out") { Description = "Folder for mixture.svg", Required = true };
    private static readonly Option<int> GeneratorSteps = new Option<int>("--g-steps") { Description = "Generator steps per D step (1 = Algorithm 1; e.g. 5 = Helvetica scenario)", DefaultValueFactory = _ => 1 }.InRange(1, 100);
    private static readonly Option<int?> Steps = new Option<int?>("--steps") { Description = "Training iterations" }.InRange(1, 1000000);
    private static readonly Option<long> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the coverage metrics as JSON" };
    private static readonly Option<GanObjective> Objective = CliErrors.KebabEnum("--objective", "The game: the paper's or a later one", GanObjective.Standard);
    private static readonly Option<GradientPenalty> Penalty = CliErrors.KebabEnum("--penalty", "A penalty on D's input gradient", GradientPenalty.None);
    private static readonly Option<float> PenaltyWeight = new Option<float>("--penalty-weight") { Description = "λ of WGAN-GP, γ of R1", DefaultValueFactory = _ => 1f }.InRange(0f, 1e4f);
    private static readonly Option<int> K = new Option<int>("--k") { Description = "D steps per iteration (5 is WGAN-GP's n_critic)", DefaultValueFactory = _ => 1 }.InRange(1, 100);
    private static readonly Option<float?> LearningRate = new Option<float?>("--lr") { Description = "Adam's learning rate for both players (default 1e-3)" }.InRange(1e-7, 1);
    private static readonly Option<int?> Hidden = new Option<int?>("--hidden") { Description = "Hidden units of G's and D's two layers (default 128)" }.InRange(2, 4096);
    private static readonly Option<int?> BatchSize = new Option<int?>("--batch-size") { Description = "Minibatch size (default 256)" }.InRange(1, 100000);
    private static readonly Option<bool> SpectralNorm = new("--spectral-norm") { Description = "Spectrally normalise D's weights" };

    public static Command Create()
    {
        var command = new Command("mixture", "GAN on a 2-D Gaussian mixture: scatter plots and mode coverage (modes covered, quality, KL to uniform).");
        foreach (var o in new Option[] { Layout, Out, GeneratorSteps, Steps, Seed, K, Objective, Penalty, PenaltyWeight, SpectralNorm, LearningRate, Hidden, BatchSize, Json }) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var defaults = new MixtureOptions();
        var options = defaults with
        {
            Layout = parse.GetValue(Layout)!,
            GeneratorSteps = parse.GetValue(GeneratorSteps),
            Steps = parse.GetValue(Steps) ?? defaults.Steps,
            Seed = parse.GetValue(Seed),
            K = parse.GetValue(K),
            LearningRate = parse.GetValue(LearningRate) ?? defaults.LearningRate,
            Hidden = parse.GetValue(Hidden) ?? defaults.Hidden,
            BatchSize = parse.GetValue(BatchSize) ?? defaults.BatchSize,
            Objective = parse.GetValue(Objective),
            Penalty = parse.GetValue(Penalty),
            PenaltyWeight = parse.GetValue(PenaltyWeight),
            SpectralNorm = parse.GetValue(SpectralNorm),
        };
        string dir = OutputFile.Folder(parse.GetValue(Out)!);
        var c = MixtureRun.Run(options, dir);
        if (parse.GetValue(Json))
        {
            Console.WriteLine(JsonSerializer.Serialize(new { layout = options.Layout, g_steps = options.GeneratorSteps, modes = c.Modes, modes_covered = c.ModesCovered, high_quality_fraction = c.HighQualityFraction, kl_to_uniform = c.KlToUniform }));
            return 0;
        }
        Console.WriteLine($"{options.Layout}, {options.GeneratorSteps} G step(s) per D step: {c.ModesCovered}/{c.Modes} modes covered, {c.HighQualityFraction:P1} of samples within 3σ, KL to uniform {c.KlToUniform:F3}");
        Console.WriteLine($"wrote mixture.png and mixture.svg to {dir}");
        return 0;
    }
}
