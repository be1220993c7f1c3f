using System.CommandLine;

namespace SharpGan.Cli;

/// <summary>Builds the `sharpgan` command tree. Each command lives in its own file and only parses and delegates.</summary>
public static class CliApp
{
    /// <summary>Parses and runs; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var root = new RootCommand("SharpGAN — generative adversarial networks for .NET (Goodfellow et al. 2014, DCGAN).");
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(SampleCommand.Create());
        root.Subcommands.Add(InterpolateCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(SemiCommand.Create());
        root.Subcommands.Add(ToyCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        root.Subcommands.Add(WatchCommand.Create());
        root.Subcommands.Add(ExploreCommand.Create());
        root.Subcommands.Add(ClassifierCommand.Create());
        root.Subcommands.Add(PresetsCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        var parse = root.Parse(args);
        // A mistyped command line is a user error: one line with a suggestion and exit 2, not the whole help and exit 1.
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine("error: " + CliErrors.Describe(parse));
            return Guard.UsageError;
        }
        return parse.Invoke();
    }
}
