namespace Frugal.Conversations;

/// <summary>
/// Where conversations live (SQLite by default; another database can implement this). Every call
/// names the owner: a session of another owner is treated exactly like a missing one, so callers
/// cannot tell the two apart. Every write is one transaction.
/// </summary>
public interface IConversationStore
{
    /// <summary>Creates an empty session.</summary>
    Task<ConversationSession> CreateSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken = default);

    /// <summary>The owner's sessions, most recently updated first.</summary>
    Task<IReadOnlyList<ConversationSession>> ListSessionsAsync(string ownerId, CancellationToken cancellationToken = default);

    /// <summary>The session, or null when it does not exist or belongs to someone else.</summary>
    Task<ConversationSession?> GetSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Sets the title; null when the session does not exist or belongs to someone else.</summary>
    Task<ConversationSession?> RenameSessionAsync(string ownerId, string sessionId, string? title, CancellationToken cancellationToken = default);

    /// <summary>Deletes the session and its messages; false when it does not exist or belongs to someone else.</summary>
    Task<bool> DeleteSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>The session's messages, oldest first; null when the session does not exist or belongs to someone else.</summary>
    Task<IReadOnlyList<StoredMessage>?> ListMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Appends a message; null when the session does not exist or belongs to someone else.</summary>
    Task<StoredMessage?> AddMessageAsync(string ownerId, string sessionId, NewMessage message, CancellationToken cancellationToken = default);

    /// <summary>Removes one message (used to take back a user's message whose turn never ran); false when absent.</summary>
    Task<bool> DeleteMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default);
}
