using System.CommandLine;

namespace SharpGan.Cli;

/// <summary>Options several commands take, each a new instance per command (an option belongs to one command).</summary>
internal static class SharedOptions
{
    /// <summary>--raw-generator, for every command that samples a run.</summary>
    public static Option<bool> RawGenerator() =>
        new("--raw-generator") { Description = "Sample G's own weights, not the moving average the run keeps (training.generator_ema)" };
}
