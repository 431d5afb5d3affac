using System.Security.Cryptography;

namespace Frugal.Server.Hosting;

/// <summary>One file of the chat page, read once from the assembly's embedded resources.</summary>
internal sealed class WebPageAsset
{
    private WebPageAsset(string route, string contentType, byte[] content)
    {
        Route = route;
        ContentType = contentType;
        Content = content;
        ETag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 12))}\"";
    }

    /// <summary>The URL path it is served at, e.g. "/" or "/app.js".</summary>
    public string Route { get; }

    public string ContentType { get; }

    public byte[] Content { get; }

    /// <summary>A strong validator from the content, so browsers revalidate cheaply after an upgrade.</summary>
    public string ETag { get; }

    /// <summary>Reads every embedded "wwwroot/..." resource of the server assembly.</summary>
    public static IReadOnlyList<WebPageAsset> LoadAll()
    {
        const string Prefix = "wwwroot/";
        var assembly = typeof(WebPageAsset).Assembly;
        var assets = new List<WebPageAsset>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"The embedded resource '{name}' cannot be read.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var path = name[Prefix.Length..];
            var route = path == "index.html" ? "/" : "/" + path;
            assets.Add(new WebPageAsset(route, ContentTypeOf(path), buffer.ToArray()));
        }

        return assets;
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json; charset=utf-8",
        ".webmanifest" => "application/manifest+json; charset=utf-8",
        _ => "application/octet-stream",
    };
}
