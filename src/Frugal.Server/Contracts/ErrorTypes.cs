namespace Frugal.Server.Contracts;

/// <summary>The <c>type</c> values of <see cref="ErrorDetail"/>, as OpenAI uses them.</summary>
public static class ErrorTypes
{
    /// <summary>The request is wrong (4xx): bad input, unknown route, missing key, unknown session.</summary>
    public const string InvalidRequest = "invalid_request_error";

    /// <summary>The server could not serve it (5xx): busy, model not loaded, internal failure.</summary>
    public const string Server = "server_error";
}
