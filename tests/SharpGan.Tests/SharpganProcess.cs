using System.Diagnostics;

namespace SharpGan.Tests;

/// <summary>The real `sharpgan` command as a child process (the built SharpGan.Cli.dll), finding MNIST as the tests do.</summary>
internal sealed record SharpganProcess(Process Process, Task<string> Stdout, Task<string> Stderr)
{
    public static SharpganProcess Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SharpGan.Cli.dll"));
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["SHARPGAN_DATA"] = TestData.MnistFolder;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var process = Process.Start(start)!;
        return new SharpganProcess(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }
}
