namespace Frugal.Server.Contracts.Anthropic;

/// <summary>Anthropic's error answer (and a stream's <c>error</c> event): <c>{"type": "error", "error": {"type", "message"}}</c>.</summary>
public sealed record AnthropicErrorResponse(AnthropicError Error)
{
    public string Type => "error";

    /// <summary>The error for an HTTP status, typed as Anthropic types it.</summary>
    public static AnthropicErrorResponse For(int statusCode, string message) => new(new AnthropicError(TypeFor(statusCode), message));

    /// <summary>Anthropic's error type of a status code.</summary>
    public static string TypeFor(int statusCode) => statusCode switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        503 or 529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };
}
