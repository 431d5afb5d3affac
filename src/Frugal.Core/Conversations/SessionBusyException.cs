namespace Frugal.Conversations;

/// <summary>Another instance is answering a message in this session; the caller may send again after <see cref="RetryAfter"/>.</summary>
public sealed class SessionBusyException : Exception
{
    public SessionBusyException() : this("The session is answering another message.", TimeSpan.FromSeconds(1)) { }

    public SessionBusyException(string message) : this(message, TimeSpan.FromSeconds(1)) { }

    public SessionBusyException(string message, Exception innerException) : base(message, innerException) => RetryAfter = TimeSpan.FromSeconds(1);

    public SessionBusyException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    /// <summary>When sending again is worth trying.</summary>
    public TimeSpan RetryAfter { get; }
}
