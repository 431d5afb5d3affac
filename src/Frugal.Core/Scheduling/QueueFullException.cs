namespace Frugal.Scheduling;

/// <summary>The queue is full (or generation is refused for now); the caller should retry later.</summary>
public sealed class QueueFullException : Exception
{
    public QueueFullException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    public QueueFullException() : this("The queue is full.", TimeSpan.FromSeconds(5)) { }

    public QueueFullException(string message) : this(message, TimeSpan.FromSeconds(5)) { }

    public QueueFullException(string message, Exception innerException) : base(message, innerException) => RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long the caller should wait before trying again.</summary>
    public TimeSpan RetryAfter { get; }
}
