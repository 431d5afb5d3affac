using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Frugal.Server.Hosting;

/// <summary>Maps the browser chat page (static files embedded in this assembly) at "/".</summary>
public static class WebPageExtensions
{
    // The page loads nothing from elsewhere and runs no inline script, so a strict policy costs
    // nothing and stops injected markup from running even if a rendering bug let some through.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Maps one GET/HEAD endpoint per page file ("/" for index.html, "/app.js", ...). The page is
    /// public; the API calls it makes carry the user's bearer key. Only these exact paths are
    /// mapped, so unknown routes (including under /v1 and /api) keep answering 404.
    /// </summary>
    public static IEndpointRouteBuilder MapFrugalWebPage(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        foreach (var asset in WebPageAsset.LoadAll())
        {
            endpoints.MapMethods(asset.Route, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => ServeAsync(context, asset))
                .AllowAnonymous()
                .ExcludeFromDescription();
        }

        return endpoints;
    }

    private static Task ServeAsync(HttpContext context, WebPageAsset asset)
    {
        var response = context.Response;
        var headers = response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }
}
