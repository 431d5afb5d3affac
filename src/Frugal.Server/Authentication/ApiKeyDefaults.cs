namespace Frugal.Server.Authentication;

/// <summary>The names of the API-key authentication scheme and the headers it reads.</summary>
public static class ApiKeyDefaults
{
    /// <summary>The authentication scheme: a user's API key, as a bearer token or in <see cref="KeyHeader"/>.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The header Anthropic's clients send the key in (<c>x-api-key: KEY</c>); accepted by every endpoint.</summary>
    public const string KeyHeader = "x-api-key";
}
