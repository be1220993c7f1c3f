using System.CommandLine;
using System.Text.Json;
using SharpGan.Experiments;

namespace SharpGan.Cli;

/// <summary>`sharpgan toy`: the paper's theory on low-dimensional data, where it can be computed exactly.</summary>
internal static class ToyCommand
{
    private static readonly Option<DirectoryInfo> Out = new("--out") { Description = "Folder for the figures", Required = true };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the final numbers as one JSON object" };
    private static readonly Option<long> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<int?> Steps = new Option<int?>("--steps") { Description = "Training iterations" }.InRange(1, 1000000);
    private static readonly Option<double> DataMean = new Option<double>("--data-mean") { Description = "Mean μ of the 1-D data N(μ, σ²)", DefaultValueFactory = _ => 1.0 }.InRange(-1000000.0, 1000000.0);
    private static readonly Option<double> DataStd = new Option<double>("--data-std") { Description = "Standard deviation σ of the 1-D data (> 0)", DefaultValueFactory = _ => 0.5 }.InRange(1e-06, 1000000.0);

    public static Command Create()
    {
        var figure1 = new Command("figure1", "Figure 1 on 1-D data: p_data, p_g, D and x = G(z) at stages (a)–(d); D* and JSD checks.");
        foreach (var o in new Option[] { Out, Json, Seed, Steps, DataMean, DataStd }) figure1.Options.Add(o);
        figure1.SetAction(parse => Guard.Run(() => Figure1(parse)));
        var toy = new Command("toy", "The theory made visible: optimal D, JSD, equilibrium, mode collapse.");
        toy.Subcommands.Add(figure1);
        toy.Subcommands.Add(MixtureCommand.Create());
        return toy;
    }

    private static int Figure1(ParseResult parse)
    {
        var defaults = new Toy1DOptions();
        var options = defaults with
        {
            Seed = parse.GetValue(Seed),
            Steps = parse.GetValue(Steps) ?? defaults.Steps,
            DataMean = parse.GetValue(DataMean),
            DataStd = parse.GetValue(DataStd),
        };
        bool json = parse.GetValue(Json);
        string dir = OutputFile.Folder(parse.GetValue(Out)!);
        var r = Figure1Run.Run(options, dir, json ? null : Console.WriteLine);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                max_abs_d_minus_half = r.MaxAbsDMinusHalf,
                jsd = r.Jsd,
                value_minus_neg_log4 = r.ValueMinusNegLog4,
                optimal_d = new
                {
                    max_abs_d_minus_optimal = r.OptimalD.MaxAbsDMinusOptimal,
                    jsd = r.OptimalD.Jsd,
                    value_minus_neg_log4 = r.OptimalD.ValueMinusNegLog4,
                    trained_d_value_minus_neg_log4 = r.OptimalD.TrainedValueMinusNegLog4,
                },
                seconds = r.Seconds,
            }));
            return 0;
        }
        Console.WriteLine($"equilibrium: max|D − ½| = {r.MaxAbsDMinusHalf:F3} (central 95% of p_data), JSD = {r.Jsd:F4} nats, max_D V − (−log 4) = {r.ValueMinusNegLog4:F4}");
        Console.WriteLine($"optimal D (G frozen, p_g known): max|D − D*| = {r.OptimalD.MaxAbsDMinusOptimal:F4}; V(D*) − (−log 4) = {r.OptimalD.ValueMinusNegLog4:F4} = 2·JSD = {2 * r.OptimalD.Jsd:F4}");
        Console.WriteLine($"wrote figure1.png, figure1.svg, training.png and training.svg to {dir} ({r.Seconds:F0} s)");
        return 0;
    }
}
