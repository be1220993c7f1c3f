using System.CommandLine;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>`sharpgan presets`: every preset with a one-line description.</summary>
internal static class PresetsCommand
{
    public static Command Create()
    {
        var command = new Command("presets", "List the training presets.");
        command.SetAction(_ =>
        {
            int width = Presets.All.Max(p => p.Name.Length);
            foreach (var (name, description, _) in Presets.All) Console.WriteLine($"{name.PadRight(width)}  {description}");
            return 0;
        });
        return command;
    }
}
