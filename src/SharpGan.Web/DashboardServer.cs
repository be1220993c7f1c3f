using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SharpGan.Data;
using SharpGan.Lab;
using SharpGan.Training;

namespace SharpGan.Web;

/// <summary>
/// `sharpgan watch RUN` and `train --serve`: a dashboard of one run folder, fixed when the server starts. GET /api/run
/// answers with where the run stands (long-polling up to 10 s for a change when asked with after=V); GET
/// /api/run/samples/I serves the I-th sample grid of the run's list — by position, so no request names a file. Reading
/// never writes, and a run that is being written is read as it stands (a torn last metrics row is left out).
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private const int MaxSeriesPoints = 2000;
    private const long MaxGridBytes = 64L << 20;
    private static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(10), Recheck = TimeSpan.FromMilliseconds(500);
    private readonly LocalServer _server;

    /// <summary>The dashboard's address.</summary>
    public Uri Url => _server.Url;

    private DashboardServer(LocalServer server) => _server = server;

    /// <summary>Serves <paramref name="run"/> at <paramref name="address"/>.</summary>
    public static async Task<DashboardServer> StartAsync(ServerAddress address, RunDirectory run)
    {
        var assets = new Dictionary<string, (string, string)>
        {
            ["/"] = ("dashboard.html", "text/html; charset=utf-8"),
            ["/dashboard.js"] = ("dashboard.js", "text/javascript; charset=utf-8"),
            ["/lab.css"] = ("lab.css", "text/css; charset=utf-8"),
            ["/common.js"] = ("common.js", "text/javascript; charset=utf-8"),
        };
        foreach (var (path, file) in ExplorerEndpoints.Assets) assets[path] = file;
        return new DashboardServer(await LocalServer.StartAsync(address, assets, app =>
        {
            Map(app, run);
            ExplorerEndpoints.Map(app, LatestGenerator(run));
        }));
    }

    // The explorer follows the run: its latest checkpoint's sampling generator, loaded when first asked for and again
    // when a newer checkpoint appears.
    private static Func<LatentExplorer> LatestGenerator(RunDirectory run)
    {
        var gate = new Lock();
        (string Path, LatentExplorer Explorer)? loaded = null;
        return () =>
        {
            lock (gate)
            {
                string latest = run.LatestCheckpoint() ?? throw new InvalidOperationException($"{run.Root} has no checkpoint yet");
                if (loaded?.Path != latest)
                {
                    var (models, config, path) = run.LoadGenerator(latest);
                    loaded = (latest, new LatentExplorer(models, config.Model.NoisePrior, config.PixelRange.Low(), path));
                }
                return loaded.Value.Explorer;
            }
        };
    }

    private static void Map(WebApplication app, RunDirectory run)
    {
        app.MapGet("/api/run", async (HttpContext context) =>
        {
            string? after = context.Request.Query["after"];
            long known = -1;
            if (after is not null && !long.TryParse(after, out known)) return LocalServer.BadRequest($"after must be a version (an integer), got '{after}'");
            var deadline = DateTime.UtcNow + LongPoll;
            while (Version(run) == known && DateTime.UtcNow < deadline && !context.RequestAborted.IsCancellationRequested)
                await Task.Delay(Recheck, context.RequestAborted).ContinueWith(_ => { });
            return Results.Json(Describe(run), LocalServer.Json);
        });
        app.MapGet("/api/run/samples/{index:int}", (int index) =>
        {
            var samples = TryRead(run, out _)?.Samples ?? [];
            if (index < 0 || index >= samples.Count) return Results.NotFound();
            var file = new FileInfo(Path.Combine(run.SampleFolder, samples[index]));
            if (!file.Exists || file.Length > MaxGridBytes) return Results.NotFound();
            return Results.Bytes(File.ReadAllBytes(file.FullName), "image/png");
        });
    }

    // Changes whenever the trainer appends a metrics row or writes a grid: the long poll's "anything new?".
    private static long Version(RunDirectory run)
    {
        var metrics = new FileInfo(run.MetricsPath);
        var samples = new DirectoryInfo(run.SampleFolder);
        var config = new FileInfo(run.ConfigPath);
        return HashCode.Combine(metrics.Exists ? metrics.Length : -1, metrics.Exists ? metrics.LastWriteTimeUtc.Ticks : 0,
            samples.Exists ? samples.LastWriteTimeUtc.Ticks : 0, config.Exists ? config.LastWriteTimeUtc.Ticks : 0);
    }

    private static RunStatus? TryRead(RunDirectory run, out string? error)
    {
        try
        {
            error = null;
            return RunStatus.Read(run);
        }
        catch (Exception e) when (e is InvalidDataException or ConfigException or IOException or UnauthorizedAccessException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>What the page shows of the run now (series thinned to at most 2 000 points each).</summary>
    internal static object Describe(RunDirectory run)
    {
        long version = Version(run);
        if (TryRead(run, out string? error) is not { } status)
            return new { version, name = Path.GetFileName(run.Root), error };
        var rows = status.Metrics;
        int stride = Math.Max(1, (rows.Count + MaxSeriesPoints - 1) / MaxSeriesPoints);
        var thinned = rows.Where((_, i) => i % stride == 0 || i == rows.Count - 1).ToList();
        var measured = rows.Where(r => r.Quality is not null).ToList();
        static double? Finite(double v) => double.IsFinite(v) ? v : null;
        return new
        {
            version,
            name = Path.GetFileName(run.Root),
            preset = status.Config.Preset,
            dataset = status.Config.Dataset,
            step = status.Step,
            totalSteps = status.TotalSteps,
            epoch = status.Epoch,
            epochs = status.Config.Training.Epochs,
            imagesPerSecond = status.ImagesPerSecond,
            remainingSeconds = status.Remaining?.TotalSeconds,
            samples = status.Samples,
            series = new
            {
                step = thinned.Select(r => r.Step),
                dLoss = thinned.Select(r => Finite(r.DLoss)),
                gLoss = thinned.Select(r => Finite(r.GLoss)),
                dReal = thinned.Select(r => Finite(r.DReal)),
                dFake = thinned.Select(r => Finite(r.DFake)),
            },
            quality = new
            {
                step = measured.Select(r => r.Step),
                fd = measured.Select(r => Finite(r.Quality!.FrechetDistance)),
                classifierScore = measured.Select(r => Finite(r.Quality!.ClassifierScore)),
                precision = measured.Select(r => Finite(r.Quality!.Precision)),
                recall = measured.Select(r => Finite(r.Quality!.Recall)),
                parzen = measured.Select(r => r.Quality!.ParzenLogLikelihood is { } p ? Finite(p) : null),
            },
        };
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    public Task WaitAsync(CancellationToken stop) => _server.WaitAsync(stop);

    /// <summary>Stops the server.</summary>
    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
