using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SharpGan.Lab;

namespace SharpGan.Web;

/// <summary>
/// The latent explorer's endpoints, on whichever server hosts it (the run dashboard, or `sharpgan explore`): GET
/// /api/explore/info; GET /api/explore/sample?seed=S&amp;o=a,b,…&amp;label=C and /api/explore/interpolate?from=A&amp;to=B&amp;steps=N&amp;label=C
/// answer with a PNG. Reads only: each draws a few samples from the generator the server was started with.
/// </summary>
public static class ExplorerEndpoints
{
    /// <summary>The explorer page's files.</summary>
    public static IEnumerable<KeyValuePair<string, (string File, string ContentType)>> Assets { get; } =
    [
        new("/explore", ("explore.html", "text/html; charset=utf-8")),
        new("/explore.js", ("explore.js", "text/javascript; charset=utf-8")),
    ];

    /// <summary>
    /// Maps the endpoints; <paramref name="explorer"/> gives the explorer, or throws <see cref="InvalidOperationException"/>
    /// (or a file error) when there is no generator to explore yet.
    /// </summary>
    public static void Map(WebApplication app, Func<LatentExplorer> explorer)
    {
        app.MapGet("/api/explore/info", () =>
        {
            try
            {
                var e = explorer();
                return Results.Json(new { available = true, source = e.Source, noiseDim = e.NoiseDim, classes = e.Classes, directions = e.Directions, maxOffset = LatentExplorer.MaxOffset, maxSteps = LatentExplorer.MaxSteps }, LocalServer.Json);
            }
            catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException)
            {
                return Results.Json(new { available = false, error = e.Message }, LocalServer.Json);
            }
        });
        app.MapGet("/api/explore/sample", (HttpContext context) => Png(() =>
        {
            var q = context.Request.Query;
            return explorer().Sample(Long(q["seed"], "seed"), Offsets(q["o"]), Label(q["label"]));
        }));
        app.MapGet("/api/explore/interpolate", (HttpContext context) => Png(() =>
        {
            var q = context.Request.Query;
            return explorer().Interpolation(Long(q["from"], "from"), Long(q["to"], "to"), (int)Long(q["steps"], "steps"), Label(q["label"]));
        }));
    }

    private static IResult Png(Func<byte[]> draw)
    {
        try { return Results.Bytes(draw(), "image/png"); }
        catch (ArgumentException e) { return LocalServer.BadRequest(e.Message); }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException)
        {
            return Results.Text(e.Message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static long Long(string? text, string name) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) ? value : throw new ArgumentException($"{name} must be an integer, got '{text}'");

    private static int? Label(string? text) => string.IsNullOrEmpty(text) ? null : (int)Long(text, "label");

    private static double[] Offsets(string? text)
    {
        if (string.IsNullOrEmpty(text)) return [];
        if (text.Length > 256) throw new ArgumentException("o is too long");
        return [.. text.Split(',').Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw new ArgumentException($"offset '{part}' is not a number"))];
    }
}
