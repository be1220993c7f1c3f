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
        catch (Exception e) when (e is UserError or ConfigException or RunInUseException or InvalidDataException or DatasetNotFoundException
                                       or ArgumentException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine("error: " + OneLine(e.Message));
            return UsageError;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine("error: " + OneLine(e.Message));
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("SHARPGAN_DEBUG") != "1")
        {
            Console.Error.WriteLine($"error: internal failure: {e.GetType().Name}: {OneLine(e.Message)} (set SHARPGAN_DEBUG=1 for the stack trace)");
            return 1;
        }
    }

    private static string OneLine(string s) => s.ReplaceLineEndings(" ").Trim();
}
