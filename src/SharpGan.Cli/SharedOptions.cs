using System.CommandLine;

namespace SharpGan.Cli;

/// <summary>Options several commands take, each a new instance per command (an option belongs to one command).</summary>
internal static class SharedOptions
{
    /// <summary>--raw-generator, for every command that samples a run.</summary>
    public static Option<bool> RawGenerator() =>
        new("--raw-generator") { Description = "Sample G's own weights, not the moving average the run keeps (training.generator_ema)" };

    /// <summary>--scale, --padding and --pad-value: how a command draws its image grid.</summary>
    public sealed class Grid
    {
        public Option<int> Scale { get; } = new Option<int>("--scale") { Description = "Draw each pixel as an N×N block", DefaultValueFactory = _ => 1 }.InRange(1, Imaging.GridStyle.MaxScale);
        public Option<int> Padding { get; } = new Option<int>("--padding") { Description = "Pixels between and around the images", DefaultValueFactory = _ => 2 }.InRange(0, Imaging.GridStyle.MaxPadding);
        public Option<float> PadValue { get; } = new Option<float>("--pad-value") { Description = "Padding colour: 0 black … 1 white", DefaultValueFactory = _ => 1f }.InRange(0, 1);

        public IEnumerable<Option> All => [Scale, Padding, PadValue];

        public Imaging.GridStyle Style(ParseResult parse) => new(parse.GetValue(Scale), parse.GetValue(Padding), parse.GetValue(PadValue));
    }
}
