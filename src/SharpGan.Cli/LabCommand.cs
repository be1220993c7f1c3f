using System.CommandLine;
using SharpGan.Lab;
using SharpGan.Web;

namespace SharpGan.Cli;

/// <summary>`sharpgan lab`: the 2-D game in the browser, trained live by this process.</summary>
internal static class LabCommand
{
    private static readonly Option<int> Port = new Option<int>("--port") { Description = "Port to serve on (0 = any free port)", DefaultValueFactory = _ => 8765 }.InRange(0, 65535);
    private static readonly Option<string> Host = new("--host") { Description = "Address to bind; anything but loopback exposes the lab to your network", DefaultValueFactory = _ => "127.0.0.1" };
    private static readonly Option<string> Data = new("--data") { Description = "ring8, grid25, gaussian or drawn (click to add points)", DefaultValueFactory = _ => "ring8" };
    private static readonly Option<long> Seed = new("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
    private static readonly Option<bool> Paused = new("--paused") { Description = "Start paused" };

    public static Command Create()
    {
        var command = new Command("lab", "Serve the live 2-D lab: D's heat map, real and generated points, G's gradients and manifold; play, step and steer the game.");
        foreach (var o in new Option[] { Port, Host, Data, Seed, Paused }) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var settings = new LabSettings { Data = parse.GetValue(Data)!, Seed = parse.GetValue(Seed) };
        var address = new ServerAddress(parse.GetValue(Host)!, parse.GetValue(Port));
        try
        {
            settings.Validate();
            address.Validate();
        }
        catch (ArgumentException e) { throw new UserError(e.Message); }
        // The lab's networks are a few thousand weights: GEMM worker threads only add hand-off latency (11.6 against 1.8 ms an
        // iteration measured on a loaded 2-core machine), so this process computes on one thread.
        Engine.Threads = 1;
        return Serve(address, async stop =>
        {
            await using var server = await LabServer.StartAsync(address, settings, play: !parse.GetValue(Paused));
            Console.WriteLine($"lab: {server.Url}  (Ctrl-C to stop)");
            await server.WaitAsync(stop);
        });
    }

    /// <summary>Runs a server until Ctrl-C/SIGTERM, warning first when it is reachable from other machines.</summary>
    internal static int Serve(ServerAddress address, Func<CancellationToken, Task> serve)
    {
        if (!address.IsLoopback)
            Console.Error.WriteLine($"WARNING: serving on {address.Host}, not loopback: anyone who can reach this machine can watch and steer it. There is no login.");
        using var stop = new StopSignals("stopping the server…");
        try { serve(stop.Token).GetAwaiter().GetResult(); }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            throw new UserError($"cannot listen on {address.Host}:{address.Port}: {e.Message} (choose another --port)");
        }
        return 0;
    }
}
