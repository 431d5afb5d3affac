namespace Frugal.Conversations;

/// <summary>No session with that id belongs to the caller (it may not exist, or be someone else's: the message never says which).</summary>
public sealed class SessionNotFoundException : Exception
{
    public SessionNotFoundException() : base("No such session.") { }

    public SessionNotFoundException(string message) : base(message) { }

    public SessionNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
