using System.CommandLine;
using System.Globalization;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>`sharpgan models`: the generators `--model NAME` can use, where each was found, and what its card says it scores.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var command = new Command("models", "List the pretrained generators usable as --model NAME, with the numbers their cards record.");
        command.SetAction(_ => Guard.Run(() =>
        {
            var names = PretrainedModels.Available();
            if (names.Count == 0)
            {
                Console.WriteLine("no models found (run from a clone of the repository, or set SHARPGAN_MODELS=DIR)");
                return 0;
            }
            int width = names.Max(n => n.Length);
            foreach (string name in names)
            {
                string path = PretrainedModels.Resolve(name);
                Console.WriteLine($"{name.PadRight(width)}  {Describe(path)}");
                Console.WriteLine($"{"".PadRight(width)}  {path}");
            }
            return 0;
        }));
        return command;
    }

    private static string Describe(string path)
    {
        string size = string.Create(CultureInfo.InvariantCulture, $"{new FileInfo(path).Length / 1048576.0:F1} MiB");
        ModelCard? card;
        try { card = ModelCard.ReadFor(path); }
        catch (InvalidDataException e) { return $"{size}; card unreadable: {e.Message}"; }
        if (card is null) return $"{size}; no card";
        var text = FormattableString.Invariant(
            $"{size}, {card.Preset}{(card.Changes.Length > 0 ? " (changed)" : "")}, {card.Epochs:0.#} epochs, {card.TrainingMinutes:0} min: ");
        if (card.Parzen is { } p) text += FormattableString.Invariant($"Parzen {p.TestLl:F1} ± {p.TestSe:F1}, ");
        var m = card.Metrics;
        text += FormattableString.Invariant($"FD {m.Fd:F2}, precision {m.Precision:F3}, recall {m.Recall:F3}");
        if (ModelCard.HashOf(path) != card.Sha256) text += "; WARNING: the file is not the one its card was measured on";
        return text;
    }
}
