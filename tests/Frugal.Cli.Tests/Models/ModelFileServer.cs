using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Frugal.Tests.Models;

/// <summary>
/// A real HTTP server on loopback that serves files the way a model hub does, and misbehaves on request:
/// cuts the connection part-way, ignores Range, or puts the digest on a redirect (<c>/resolve/NAME</c> → <c>/files/NAME</c>).
/// </summary>
internal sealed class ModelFileServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private int _cutsLeft;

    private ModelFileServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Honour Range requests (206); false answers 200 with the whole file.</summary>
    public bool SupportsRange { get; set; } = true;

    /// <summary>Bytes sent before a cut connection.</summary>
    public int CutAfterBytes { get; set; } = 64 * 1024;

    /// <summary>The X-Linked-Etag the redirect carries (null: none).</summary>
    public string? RedirectDigest { get; set; }

    /// <summary>Every request: its Host header, path and Range header (empty when none).</summary>
    public ConcurrentQueue<(string Host, string Path, string Range)> Requests { get; } = new();

    public static async Task<ModelFileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new ModelFileServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.First() + "/");
        return server;
    }

    public Uri Add(string name, byte[] content)
    {
        _files[name] = content;
        return new Uri(BaseAddress, "files/" + name);
    }

    /// <summary>The next <paramref name="count"/> file responses stop after <see cref="CutAfterBytes"/> and drop the connection.</summary>
    public void CutNext(int count) => Interlocked.Exchange(ref _cutsLeft, count);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        Requests.Enqueue((context.Request.Host.Host, path, context.Request.Headers.Range.ToString()));
        if (path.StartsWith("/resolve/", StringComparison.Ordinal))
        {
            if (RedirectDigest is { } digest)
            {
                context.Response.Headers["X-Linked-Etag"] = $"\"{digest}\"";
            }

            context.Response.Redirect("/files/" + path["/resolve/".Length..]);
            return;
        }

        var name = path.StartsWith("/files/", StringComparison.Ordinal) ? path["/files/".Length..] : path.TrimStart('/');
        if (!_files.TryGetValue(name, out var content))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var from = 0;
        var range = context.Request.Headers.Range.ToString();
        if (SupportsRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            from = int.Parse(range["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (from >= content.Length)
            {
                context.Response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                return;
            }

            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }

        context.Response.ContentLength = content.Length - from;
        if (Interlocked.Decrement(ref _cutsLeft) >= 0)
        {
            await context.Response.Body.WriteAsync(content.AsMemory(from, Math.Min(CutAfterBytes, content.Length - from)));
            await context.Response.Body.FlushAsync();
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(content.AsMemory(from));
    }
}
