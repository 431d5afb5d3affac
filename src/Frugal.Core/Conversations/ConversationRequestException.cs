namespace Frugal.Conversations;

/// <summary>A message or its options cannot be accepted (a 400 for HTTP callers); nothing was stored.</summary>
public sealed class ConversationRequestException : Exception
{
    public ConversationRequestException(string message, string? param, string? code) : base(message)
    {
        Param = param;
        Code = code;
    }

    public ConversationRequestException() : base("The request is invalid.") { }

    public ConversationRequestException(string message) : base(message) { }

    public ConversationRequestException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The field at fault (<c>content</c>, <c>max_tokens</c>, <c>temperature</c>), or null.</summary>
    public string? Param { get; }

    /// <summary>A machine-readable code (<c>context_length_exceeded</c>, …), or null.</summary>
    public string? Code { get; }
}
