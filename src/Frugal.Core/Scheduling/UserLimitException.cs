namespace Frugal.Scheduling;

/// <summary>
/// The request goes past one of its user's own limits (requests running or waiting, a share of the queue kept for
/// others, requests or tokens per minute); the caller should retry after <see cref="RetryAfter"/>. Other users are
/// not affected: the server answers 429, not 503.
/// </summary>
public sealed class UserLimitException : Exception
{
    public UserLimitException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    public UserLimitException() : this("Too many requests.", TimeSpan.FromSeconds(5)) { }

    public UserLimitException(string message) : this(message, TimeSpan.FromSeconds(5)) { }

    public UserLimitException(string message, Exception innerException) : base(message, innerException) => RetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>How long the caller should wait before trying again (at least one second).</summary>
    public TimeSpan RetryAfter { get; }
}
