using Frugal.Server.Endpoints;
using Frugal.Users;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Frugal.Server.Hosting;

/// <summary>
/// Every <c>/v1</c> and <c>/api</c> request needs <c>Authorization: Bearer KEY</c> with an active
/// user's key; otherwise 401 with an OpenAI-style body. Other paths (health, the page) pass.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IUserStore users)
{
    private const string Scheme = "Bearer ";

    public static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/status", StringComparison.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!IsProtected(context.Request.Path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        string? header = context.Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            await RefuseAsync(context, "Missing API key: send the header 'Authorization: Bearer KEY' (create a key with 'frugal user add NAME').").ConfigureAwait(false);
            return;
        }

        var user = await users.AuthenticateAsync(header[Scheme.Length..].Trim(), context.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            await RefuseAsync(context, "Incorrect or revoked API key.").ConfigureAwait(false);
            return;
        }

        context.SetFrugalUser(user);
        await next(context).ConfigureAwait(false);
    }

    private static Task RefuseAsync(HttpContext context, string message)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return ApiErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, message, code: "invalid_api_key");
    }
}
