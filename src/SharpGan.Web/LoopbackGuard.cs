using Microsoft.AspNetCore.Http;

namespace SharpGan.Web;

/// <summary>
/// Why a server on 127.0.0.1 still needs guarding: any web page the user visits can make the browser send requests to
/// it. A DNS-rebinding page reaches it under its own host name, and a plain cross-origin form or fetch can POST to it.
/// As Jupyter does, this refuses a request whose Host header is not one of the names the server was started under
/// (403), and any request that changes state unless its Origin header is this server's own origin and its body is
/// JSON (403 / 415: a foreign page cannot send JSON without a CORS preflight, which is never answered), and any
/// request a browser marks as made by another site's page other than a plain navigation (403). Every
/// response forbids framing and sniffing, and scripts may come only from this server.
/// </summary>
public sealed class LoopbackGuard
{
    private readonly HashSet<string> _hosts;

    /// <summary>Guards a server reachable at <paramref name="port"/> under <paramref name="hostNames"/> (e.g. 127.0.0.1, localhost, [::1]).</summary>
    public LoopbackGuard(IEnumerable<string> hostNames, int port) =>
        _hosts = hostNames.Select(h => $"{h}:{port}".ToLowerInvariant()).ToHashSet();

    /// <summary>The Host values accepted, lower case.</summary>
    public IReadOnlyCollection<string> Hosts => _hosts;

    /// <summary>Null when <paramref name="request"/> may proceed; else the status and reason to answer with.</summary>
    public (int Status, string Reason)? Check(HttpRequest request)
    {
        string host = request.Host.Value?.ToLowerInvariant() ?? "";
        if (!_hosts.Contains(host)) return (StatusCodes.Status403Forbidden, $"host '{host}' is not this server's (DNS rebinding is refused)");
        // A foreign page may still embed our GETs (an <img> of the explorer, a script tag on the frame stream) to spend
        // this machine's CPU; browsers say where a request comes from, so only a navigation (the user following a link
        // to the page) may come from another site.
        string site = request.Headers["Sec-Fetch-Site"].ToString(), mode = request.Headers["Sec-Fetch-Mode"].ToString();
        if (site is "cross-site" or "same-site" && mode != "navigate")
            return (StatusCodes.Status403Forbidden, $"a {site} request for {request.Path} is refused; open the page itself");
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return null;
        string origin = request.Headers.Origin.ToString().ToLowerInvariant();
        if (origin != $"http://{host}") return (StatusCodes.Status403Forbidden, origin.Length == 0 ? "a request that changes state must carry this page's Origin" : $"cross-origin request from '{origin}' refused");
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            return (StatusCodes.Status415UnsupportedMediaType, "send JSON (Content-Type: application/json)");
        return null;
    }

    /// <summary>The middleware: refuses what <see cref="Check"/> refuses, and sets the protective headers on every response.</summary>
    public async Task Invoke(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; frame-ancestors 'none'";
        headers.CacheControl = "no-store";
        if (Check(context.Request) is { } refusal)
        {
            context.Response.StatusCode = refusal.Status;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(refusal.Reason + "\n");
            return;
        }
        await next();
    }
}
