using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SharpGan.Web;

/// <summary>Where a server listens.</summary>
/// <param name="Host">The address to bind: 127.0.0.1 (the default), localhost, ::1, or another address the user chose on purpose.</param>
/// <param name="Port">The port; 0 picks a free one.</param>
public sealed record ServerAddress(string Host = "127.0.0.1", int Port = 0)
{
    /// <summary>True for the loopback names.</summary>
    public bool IsLoopback => Host is "127.0.0.1" or "localhost" or "::1" or "[::1]";

    /// <summary>Throws <see cref="ArgumentException"/> for a port outside [0, 65535] or a host that is not an address or localhost.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"port {Port} is not in [0, 65535]");
        if (Host != "localhost" && !IPAddress.TryParse(Host.Trim('[', ']'), out _)) throw new ArgumentException($"host '{Host}' is not an IP address or localhost");
    }
}

/// <summary>
/// The web server the browser views share: Kestrel on one address, <see cref="LoopbackGuard"/> in front of every
/// endpoint, bounded request bodies and connections, the page's files served from the assembly by a fixed list.
/// </summary>
public sealed class LocalServer : IAsyncDisposable
{
    /// <summary>Largest request body accepted: settings and commands are a few hundred bytes.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>JSON as the pages read and write it: camelCase names, enums as snake_case strings, no unknown members.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly WebApplication _app;

    /// <summary>The page's address, e.g. http://127.0.0.1:8765/.</summary>
    public Uri Url { get; }

    private LocalServer(WebApplication app, Uri url) => (_app, Url) = (app, url);

    /// <summary>
    /// Starts a server at <paramref name="address"/>: <paramref name="map"/> adds the endpoints; <paramref name="assets"/>
    /// maps request paths to embedded files (wwwroot/NAME) and their content types.
    /// </summary>
    public static async Task<LocalServer> StartAsync(ServerAddress address, IReadOnlyDictionary<string, (string File, string ContentType)> assets, Action<WebApplication> map)
    {
        address.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxBodyBytes;
            k.Limits.MaxConcurrentConnections = 200;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.AddServerHeader = false;
            var ip = address.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(address.Host.Trim('[', ']'));
            k.Listen(ip, address.Port);
        });
        var app = builder.Build();
        LoopbackGuard? guard = null; // set once the port is known; until then nothing is served
        app.Use(async (context, next) =>
        {
            if (guard is null) { context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; return; }
            await guard.Invoke(context, () => next(context));
        });
        var files = assets.ToDictionary(a => a.Key, a => (Bytes: Embedded(a.Value.File), a.Value.ContentType));
        foreach (var (path, (bytes, type)) in files)
            app.MapGet(path, () => Results.Bytes(bytes, type));
        map(app);
        try { await app.StartAsync(); }
        catch
        {
            await app.DisposeAsync(); // a port in use: nothing is left listening or running
            throw;
        }
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        string shownHost = address.IsLoopback ? (address.Host is "::1" or "[::1]" ? "[::1]" : "127.0.0.1") : address.Host;
        var names = address.IsLoopback ? new[] { "127.0.0.1", "localhost", "[::1]" } : [address.Host, "localhost", "127.0.0.1", Environment.MachineName];
        guard = new LoopbackGuard(names, bound.Port);
        return new LocalServer(app, new Uri($"http://{shownHost}:{bound.Port}/"));
    }

    /// <summary>A 400 answer with one line saying what was wrong.</summary>
    public static IResult BadRequest(string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Reads a JSON body as <typeparamref name="T"/>; a malformed or oversized body is an <see cref="ArgumentException"/> with the reason.</summary>
    public static async Task<T> ReadJson<T>(HttpRequest request)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted)
                ?? throw new ArgumentException("the body is empty");
        }
        catch (JsonException e) { throw new ArgumentException($"malformed JSON: {e.Message}"); }
        catch (BadHttpRequestException e) { throw new ArgumentException(e.Message); }
    }

    private static byte[] Embedded(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + file)
            ?? throw new InvalidOperationException($"wwwroot/{file} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled.</summary>
    public async Task WaitAsync(CancellationToken stop)
    {
        try { await Task.Delay(Timeout.Infinite, stop); }
        catch (OperationCanceledException) { }
    }

    /// <summary>Stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
