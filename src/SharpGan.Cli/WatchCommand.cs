using System.CommandLine;
using SharpGan.Training;
using SharpGan.Web;

namespace SharpGan.Cli;

/// <summary>`sharpgan watch RUN`: the dashboard of a run in progress or finished; `train --serve` starts the same one beside training.</summary>
internal static class WatchCommand
{
    /// <summary>The dashboard's default port (the lab's is 8765).</summary>
    public const int DefaultPort = 8766;

    private static readonly Argument<DirectoryInfo> Run = new("RUN") { Description = "The run directory (a run in progress or finished)" };
    private static readonly Option<int> Port = new Option<int>("--port") { Description = "Port to serve on (0 = any free port)", DefaultValueFactory = _ => DefaultPort }.InRange(0, 65535);
    private static readonly Option<string> Host = new("--host") { Description = "Address to bind; anything but loopback exposes the dashboard to your network", DefaultValueFactory = _ => "127.0.0.1" };

    public static Command Create()
    {
        var command = new Command("watch", "Serve a dashboard of a run: the latest sample grid and its history, losses, D's outputs, quality measures, speed and ETA, updated as the run writes them.");
        command.Arguments.Add(Run);
        command.Options.Add(Port);
        command.Options.Add(Host);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var run = new RunDirectory(parse.GetValue(Run)!.FullName);
        if (!Directory.Exists(run.Root)) throw new UserError($"{run.Root}: no such run directory");
        var address = Address(parse.GetValue(Host)!, parse.GetValue(Port));
        return LabCommand.Serve(address, async stop =>
        {
            await using var server = await DashboardServer.StartAsync(address, run);
            Console.WriteLine($"dashboard of {run.Root}: {server.Url}  (Ctrl-C to stop)");
            await server.WaitAsync(stop);
        });
    }

    /// <summary>A checked address; a bad one is a user error.</summary>
    internal static ServerAddress Address(string host, int port)
    {
        var address = new ServerAddress(host, port);
        try { address.Validate(); }
        catch (ArgumentException e) { throw new UserError(e.Message); }
        return address;
    }
}
