using SharpGan.Data;
using SharpGan.Training;

namespace SharpGan.Cli;

/// <summary>A mistake the user can fix (bad option, missing file); printed as one line, never a stack trace.</summary>
internal sealed class UserError(string message) : Exception(message);

/// <summary>Runs a command body and turns known failures into one line on stderr and an exit code.</summary>
internal static class Guard
{
    public const int UsageError = 2;

    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("SHARPGAN_DEBUG") != "1" || IsUsageError(e) || e is IOException)
        {
            return Report(e);
        }
    }

    /// <summary>Prints <paramref name="e"/> as one line on stderr (after <paramref name="prefix"/>) and returns its exit code.</summary>
    public static int Report(Exception e, string prefix = "")
    {
        if (IsUsageError(e))
        {
            Console.Error.WriteLine($"error: {prefix}{OneLine(e.Message)}");
            return UsageError;
        }
        if (e is IOException)
        {
            Console.Error.WriteLine($"error: {prefix}{OneLine(e.Message)}");
            return 1;
        }
        Console.Error.WriteLine(Environment.GetEnvironmentVariable("SHARPGAN_DEBUG") == "1"
            ? $"error: {prefix}{e}"
            : $"error: {prefix}internal failure: {e.GetType().Name}: {OneLine(e.Message)} (set SHARPGAN_DEBUG=1 for the stack trace)");
        return 1;
    }

    private static bool IsUsageError(Exception e) => e is UserError or ConfigException or RunInUseException or InvalidDataException or DatasetNotFoundException
        or ArgumentException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
