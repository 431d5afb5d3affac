namespace Frugal.Requests;

/// <summary>
/// A request cannot be accepted as sent (an HTTP 4xx, by default 400, in the caller's error shape); nothing
/// was stored or queued. Derives from <see cref="ArgumentException"/> so in-process callers can catch it as one.
/// </summary>
public sealed class ChatRequestException : ArgumentException
{
    /// <summary>Creates the error with the field at fault and a machine-readable code.</summary>
    public ChatRequestException(string message, string? param, string? code, int statusCode = 400) : base(message)
    {
        Param = param;
        Code = code;
        StatusCode = statusCode;
    }

    public ChatRequestException() : base("The request is invalid.") { }

    public ChatRequestException(string message) : base(message) { }

    public ChatRequestException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The field at fault (<c>messages</c>, <c>max_tokens</c>, <c>temperature</c>, …), or null.</summary>
    public string? Param { get; }

    /// <summary>A machine-readable code (<c>invalid_value</c>, <c>context_length_exceeded</c>, …), or null.</summary>
    public string? Code { get; }

    /// <summary>The HTTP status that answers it (400, or 404 for an unknown model).</summary>
    public int StatusCode { get; } = 400;
}
