using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SharpGan.Lab;

namespace SharpGan.Web;

/// <summary>A command from the lab page: what to do, with the values that action needs.</summary>
/// <param name="Action">play, pause, step, reset, add_point or clear_points.</param>
/// <param name="Kind">For step: discriminator, generator or iteration.</param>
/// <param name="Seed">For reset.</param>
/// <param name="X">For add_point.</param>
/// <param name="Y">For add_point.</param>
/// <param name="Speed">For speed (the Figure 1 view): iterations per second.</param>
public sealed record LabCommand(string Action, LabStep? Kind = null, long? Seed = null, double? X = null, double? Y = null, double? Speed = null);

/// <summary>
/// `sharpgan lab`: the 2-D game served live. GET / is the page; GET /api/lab/frame?after=V answers with the first frame
/// newer than V (waiting up to 2 s: a long poll, so a page gets every frame soon after it is made without asking in a
/// loop); POST /api/lab/command and /api/lab/settings steer the game. Every value is validated before it reaches the
/// engine: a bad one is a 400 naming it.
/// </summary>
public sealed class LabServer : IAsyncDisposable
{
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(2);
    private readonly LocalServer _server;

    /// <summary>The 2-D game being served.</summary>
    public LabSession Session { get; }

    /// <summary>The 1-D game of the Figure 1 view (paused until its page plays it).</summary>
    public Figure1Session Figure1 { get; }

    /// <summary>The page's address.</summary>
    public Uri Url => _server.Url;

    private LabServer(LocalServer server, LabSession session, Figure1Session figure1) => (_server, Session, Figure1) = (server, session, figure1);

    /// <summary>Starts the game (<paramref name="play"/>: running) and the server at <paramref name="address"/>.</summary>
    public static async Task<LabServer> StartAsync(ServerAddress address, LabSettings settings, bool play = true)
    {
        var session = new LabSession(settings, play);
        var figure1 = new Figure1Session(settings.Seed);
        try
        {
            var assets = new Dictionary<string, (string, string)>
            {
                ["/"] = ("lab.html", "text/html; charset=utf-8"),
                ["/lab.js"] = ("lab.js", "text/javascript; charset=utf-8"),
                ["/lab.css"] = ("lab.css", "text/css; charset=utf-8"),
                ["/common.js"] = ("common.js", "text/javascript; charset=utf-8"),
                ["/figure1"] = ("figure1.html", "text/html; charset=utf-8"),
                ["/figure1.js"] = ("figure1.js", "text/javascript; charset=utf-8"),
            };
            var server = await LocalServer.StartAsync(address, assets, app =>
            {
                Map(app, session);
                MapFigure1(app, figure1);
            });
            return new LabServer(server, session, figure1);
        }
        catch
        {
            session.Dispose();
            figure1.Dispose();
            throw;
        }
    }

    // GET PATH?after=V: the first frame newer than V, waiting up to the long poll.
    private static void MapFrames<TGame, TFrame>(WebApplication app, string path, GameLoop<TGame, TFrame> loop)
        where TGame : ILabGame<TFrame> where TFrame : class, ILabFrame =>
        app.MapGet(path, async (HttpContext context) =>
        {
            string? after = context.Request.Query["after"];
            if (after is not null && !long.TryParse(after, out _)) return LocalServer.BadRequest($"after must be a frame version (an integer), got '{after}'");
            var frame = await loop.NextFrameAsync(after is null ? -1 : long.Parse(after), LongPoll, context.RequestAborted);
            return Results.Json(frame, LocalServer.Json);
        });

    private static void MapFigure1(WebApplication app, Figure1Session figure1)
    {
        MapFrames(app, "/api/figure1/frame", figure1);
        MapCommands(app, "/api/figure1/command", figure1, defaultSeed: () => 1, "speed", command =>
        {
            if (command.Action != "speed") return false;
            figure1.SetSpeed(command.Speed ?? double.NaN);
            return true;
        });
    }

    private static void Map(WebApplication app, LabSession session)
    {
        MapFrames(app, "/api/lab/frame", session);
        MapCommands(app, "/api/lab/command", session, () => session.Latest.Settings.Seed, "add_point or clear_points", command =>
        {
            switch (command.Action)
            {
                case "add_point": session.AddPoint(command.X ?? double.NaN, command.Y ?? double.NaN); return true;
                case "clear_points": session.ClearPoints(); return true;
                default: return false;
            }
        });
        app.MapPost("/api/lab/settings", async (HttpRequest request) =>
        {
            try
            {
                session.Apply(await LocalServer.ReadJson<LabSettings>(request));
                return Results.NoContent();
            }
            catch (ArgumentException e) { return LocalServer.BadRequest(e.Message); }
        });
    }

    // POST PATH with a LabCommand: play, pause, step and reset for any game, then the game's own actions (handled by
    // <paramref name="own"/>, which answers false for an action it does not know).
    private static void MapCommands<TGame, TFrame>(WebApplication app, string path, GameLoop<TGame, TFrame> loop, Func<long> defaultSeed,
        string ownActions, Func<LabCommand, bool> own) where TGame : ILabGame<TFrame> where TFrame : class, ILabFrame =>
        app.MapPost(path, async (HttpRequest request) =>
        {
            try
            {
                var command = await LocalServer.ReadJson<LabCommand>(request);
                switch (command.Action)
                {
                    case "play": loop.Play(); break;
                    case "pause": loop.Pause(); break;
                    case "step": loop.Step(command.Kind ?? LabStep.Iteration); break;
                    case "reset": loop.Reset(command.Seed ?? defaultSeed()); break;
                    default:
                        if (!own(command)) throw new ArgumentException($"unknown action '{command.Action}': use play, pause, step, reset, {ownActions}");
                        break;
                }
                return Results.NoContent();
            }
            catch (ArgumentException e) { return LocalServer.BadRequest(e.Message); }
        });

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    public Task WaitAsync(CancellationToken stop) => _server.WaitAsync(stop);

    /// <summary>Stops the server and the game.</summary>
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Session.Dispose();
        Figure1.Dispose();
    }
}
