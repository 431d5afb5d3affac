using System.Security.Claims;
using System.Text.Encodings.Web;
using Frugal.Server.Endpoints;
using Frugal.Server.Hosting;
using Frugal.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Frugal.Server.Authentication;

/// <summary>
/// Authenticates a request by an active user's API key, sent as <c>Authorization: Bearer KEY</c> or
/// <c>x-api-key: KEY</c>. A missing or wrong key is answered 401 in OpenAI's error shape (code
/// <c>invalid_api_key</c>) when the endpoint needs a user, which every endpoint does unless it says
/// <c>AllowAnonymous</c> (the fallback policy, see <see cref="ApiKeyServiceCollectionExtensions"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IUserStore users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string BearerPrefix = "Bearer ";

    internal const string MissingKeyMessage =
        "Missing API key: send the header 'Authorization: Bearer KEY' (create a key with 'frugal user add NAME').";

    internal const string WrongKeyMessage = "Incorrect or revoked API key.";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ReadKey(Request.Headers) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        var user = await users.AuthenticateAsync(key, Context.RequestAborted).ConfigureAwait(false);
        if (user is null)
        {
            return AuthenticateResult.Fail(WrongKeyMessage);
        }

        Context.SetFrugalUser(user);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, user.Name)],
            ApiKeyDefaults.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await ApiErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized,
            result.Failure is null ? MissingKeyMessage : WrongKeyMessage, code: "invalid_api_key").ConfigureAwait(false);
    }

    /// <summary>The key of a bearer <c>Authorization</c> header, else of <c>x-api-key</c>; null when neither carries one.</summary>
    internal static string? ReadKey(IHeaderDictionary headers)
    {
        string? authorization = headers.Authorization;
        if (authorization is not null && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return authorization[BearerPrefix.Length..].Trim();   // an empty key is a wrong key, not a missing one
        }

        string? apiKey = headers[ApiKeyDefaults.KeyHeader];
        return apiKey?.Trim() is { Length: > 0 } key ? key : null;
    }
}
