namespace Frugal.Conversations;

/// <summary>A user would keep more than <see cref="ConversationLimits"/> allow (HTTP 403 storage_quota_exceeded).</summary>
public sealed class StorageQuotaExceededException : Exception
{
    public StorageQuotaExceededException(string message) : base(message) { }

    public StorageQuotaExceededException() : base("The storage quota is exhausted.") { }

    public StorageQuotaExceededException(string message, Exception inner) : base(message, inner) { }
}
