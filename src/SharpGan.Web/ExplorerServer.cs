using SharpGan.Lab;

namespace SharpGan.Web;

/// <summary>`sharpgan explore`: the latent explorer alone, for a shipped model or a finished run.</summary>
public static class ExplorerServer
{
    /// <summary>Serves <paramref name="explorer"/> at <paramref name="address"/>; the page is at /.</summary>
    public static Task<LocalServer> StartAsync(ServerAddress address, LatentExplorer explorer)
    {
        var assets = new Dictionary<string, (string, string)>(ExplorerEndpoints.Assets)
        {
            ["/"] = ("explore.html", "text/html; charset=utf-8"),
            ["/lab.css"] = ("lab.css", "text/css; charset=utf-8"),
        };
        return LocalServer.StartAsync(address, assets, app => ExplorerEndpoints.Map(app, () => explorer));
    }
}
