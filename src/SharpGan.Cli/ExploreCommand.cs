using System.CommandLine;
using SharpGan.Data;
using SharpGan.Lab;
using SharpGan.Web;

namespace SharpGan.Cli;

/// <summary>`sharpgan explore`: the latent explorer for a shipped model or a run's generator.</summary>
internal static class ExploreCommand
{
    private static readonly GeneratorOptions Generator = new();
    private static readonly Option<int> Port = new Option<int>("--port") { Description = "Port to serve on (0 = any free port)", DefaultValueFactory = _ => 8767 }.InRange(0, 65535);
    private static readonly Option<string> Host = new("--host") { Description = "Address to bind; anything but loopback exposes the explorer to your network", DefaultValueFactory = _ => "127.0.0.1" };

    public static Command Create()
    {
        var command = new Command("explore", "Serve the latent explorer: sliders over directions of z, random z, interpolation between two picked samples, the class of a conditional model.");
        foreach (var o in Generator.All.Append(Port).Append(Host)) command.Options.Add(o);
        command.SetAction(parse => Guard.Run(() => Execute(parse)));
        return command;
    }

    private static int Execute(ParseResult parse)
    {
        var (models, config, source) = Generator.Load(parse);
        var explorer = new LatentExplorer(models, config.Model.NoisePrior, config.PixelRange.Low(), source);
        var address = WatchCommand.Address(parse.GetValue(Host)!, parse.GetValue(Port));
        return LabCommand.Serve(address, async stop =>
        {
            await using var server = await ExplorerServer.StartAsync(address, explorer);
            Console.WriteLine($"latent explorer of {source}: {server.Url}  (Ctrl-C to stop)");
            await server.WaitAsync(stop);
        });
    }
}
