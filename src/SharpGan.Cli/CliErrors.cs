using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SharpGan.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into one line in the user's words, with a suggestion where a name was
/// mistyped (`unknown option --epoch for sharpgan train; did you mean --epochs?`), for exit code 2. Its own
/// messages name .NET types ("System.Nullable`1[System.Int32]") and print the whole help; ours do neither.
/// </summary>
internal static partial class CliErrors
{
    /// <summary>The first parse error as one line, with the command it concerns and where to read more.</summary>
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        string path = CommandPath(parse.CommandResult);
        // A mistyped name explains the other errors it causes ("required command was not provided"): report it first.
        string message = parse.Errors.Select(e => e.Message).FirstOrDefault(m => NotMatched().IsMatch(m)) ?? parse.Errors[0].Message;
        string line = message switch
        {
            _ when NotMatched().Match(message) is { Success: true } m => Unknown(m.Groups[1].Value, command, path),
            _ when CannotParse().Match(message) is { Success: true } m => $"{m.Groups[2].Value} expects {Kind(m.Groups[3].Value)}; got '{m.Groups[1].Value}'",
            _ when MissingValue().Match(message) is { Success: true } m => $"{m.Groups[1].Value} needs a value",
            _ when RequiredOption().Match(message) is { Success: true } m => $"{path} needs {m.Groups[1].Value}",
            _ when message.StartsWith("Required command was not provided", StringComparison.Ordinal) =>
                $"{path} needs a command: {string.Join(", ", command.Subcommands.Select(c => c.Name))}",
            _ => message.TrimEnd('.'),
        };
        return $"{line} (see `{path} --help`)";
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent) names.Insert(0, c.Parent is null ? "sharpgan" : c.Command.Name);
        return string.Join(' ', names);
    }

    private static string Unknown(string token, Command command, string path)
    {
        bool looksLikeOption = token.StartsWith('-');
        var candidates = looksLikeOption
            ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
            : command.Subcommands.Select(c => c.Name);
        string? best = candidates.Where(c => c.Length > 2 || !looksLikeOption)
            .Select(c => (Name: c, Distance: Distance(token, c)))
            .Where(c => c.Distance <= Math.Max(2, token.Length / 3))
            .OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();
        string what = looksLikeOption ? $"unknown option {token} for `{path}`"
            : command.Subcommands.Count > 0 ? $"unknown command '{token}' for `{path}`"
            : $"unexpected argument '{token}' for `{path}` (values follow their option, e.g. --count 100)";
        return best is null ? what : $"{what}; did you mean {best}?";
    }

    // Levenshtein distance, for suggestions among a command's few dozen names.
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    private static string Kind(string clrType) => clrType switch
    {
        _ when clrType.Contains("Int32") => "a whole number",
        _ when clrType.Contains("Int64") => "a whole number (64-bit)",
        _ when clrType.Contains("Double") || clrType.Contains("Single") => "a number",
        _ when clrType.Contains("Boolean") => "true or false",
        _ => "another kind of value",
    };

    /// <summary>Adds a range check to a numeric option: outside [min, max] is a parse error (exit 2) naming the option.</summary>
    public static Option<T> InRange<T>(this Option<T> option, double min, double max)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return; // the default, not the user's value
            object? value;
            try { value = result.GetValueOrDefault<T>(); }
            catch (InvalidOperationException) { return; } // not a number at all: the parser reports that itself
            if (value is null) return;
            double v = Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (!(v >= min && v <= max))
                result.AddError($"{option.Name} must be in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}]; got {result.Tokens[0].Value}");
        });
        return option;
    }

    /// <summary>
    /// An enum option spelled as the config files spell it, with hyphens (`--objective least-squares`, `--penalty wgan-gp`;
    /// underscores accepted too): anything else is a one-line parse error naming the choices.
    /// </summary>
    public static Option<T> KebabEnum<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        string Spell(T value) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
        var choices = Enum.GetValues<T>().ToDictionary(Spell);
        var option = new Option<T>(name)
        {
            Description = $"{description} ({string.Join(", ", choices.Keys)}; default {Spell(defaultValue)})",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                string given = result.Tokens.Count > 0 ? result.Tokens[0].Value.Replace('_', '-').ToLowerInvariant() : "";
                if (choices.TryGetValue(given, out T value)) return value;
                result.AddError($"{name} must be one of {string.Join(", ", choices.Keys)}; got '{(result.Tokens.Count > 0 ? result.Tokens[0].Value : "")}'");
                return defaultValue;
            },
        };
        option.CompletionSources.Add([.. choices.Keys]);
        return option;
    }

    /// <summary>Restricts a string option to <paramref name="choices"/>: anything else is a one-line parse error naming them.</summary>
    public static Option<T> OneOf<T>(this Option<T> option, params string[] choices)
    {
        option.CompletionSources.Add(choices);
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0) return;
            string given = result.Tokens[0].Value;
            if (!choices.Contains(given)) result.AddError($"{option.Name} must be one of {string.Join(", ", choices)}; got '{given}'");
        });
        return option;
    }

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'")]
    private static partial Regex NotMatched();

    [GeneratedRegex(@"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'")]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Required argument missing for option: '(.*)'")]
    private static partial Regex MissingValue();

    [GeneratedRegex(@"^Option '(.*)' is required")]
    private static partial Regex RequiredOption();
}
