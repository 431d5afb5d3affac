namespace Frugal.Conversations;

/// <summary>The session holds no such message (or it cannot be used that way); HTTP 404.</summary>
public sealed class MessageNotFoundException : Exception
{
    public MessageNotFoundException() : base("No such message.") { }

    public MessageNotFoundException(string message) : base(message) { }

    public MessageNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
