namespace Frugal.Server.Endpoints;

/// <summary>
/// The shape an endpoint's errors are written in. An endpoint declares it (<see cref="ErrorDialectEndpointExtensions.WithErrorDialect"/>)
/// and every error of a request to it — bad input, a missing key, a user's limits, a full queue — is written in it by
/// <see cref="ApiErrors.WriteAsync"/>; routes that declare none answer in OpenAI's.
/// </summary>
public enum ErrorDialect
{
    /// <summary><c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
    OpenAI,

    /// <summary><c>{"error": "message"}</c>.</summary>
    Ollama,

    /// <summary><c>{"type": "error", "error": {"type", "message"}}</c>.</summary>
    Anthropic,
}
