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

    /// <summary>
    /// One page of the owner's sessions, most recently updated first: at most <paramref name="limit"/> of those that
    /// come after the session <paramref name="after"/> (null: from the start; an unknown id: an empty page). The default
    /// reads the whole list; a store should page in its query.
    /// </summary>
    async Task<SessionPage> ListSessionsAsync(string ownerId, int limit, string? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var all = await ListSessionsAsync(ownerId, cancellationToken).ConfigureAwait(false);
        var start = 0;
        if (after is not null)
        {
            var index = all.ToList().FindIndex(s => s.Id == after);
            start = index < 0 ? all.Count : index + 1;
        }

        var page = all.Skip(start).Take(limit).ToList();
        return new SessionPage(page, start + page.Count < all.Count);
    }

    /// <summary>
    /// What the owner keeps: sessions, messages and UTF-8 bytes of titles, system prompts and contents (for
    /// <see cref="ConversationLimits"/>). The default reads everything; a store should count in its query.
    /// </summary>
    async Task<StorageUsage> GetUsageAsync(string ownerId, CancellationToken cancellationToken = default)
    {
        var sessions = await ListSessionsAsync(ownerId, cancellationToken).ConfigureAwait(false);
        long messages = 0, bytes = 0;
        foreach (var session in sessions)
        {
            bytes += OwnerQuotas.Bytes(session.Title) + OwnerQuotas.Bytes(session.SystemPrompt);
            foreach (var message in await ListMessagesAsync(ownerId, session.Id, cancellationToken).ConfigureAwait(false) ?? [])
            {
                messages++;
                bytes += OwnerQuotas.Bytes(message.Content);
            }
        }

        return new StorageUsage(sessions.Count, messages, bytes);
    }

    /// <summary>The session, or null when it does not exist or belongs to someone else.</summary>
    Task<ConversationSession?> GetSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Changes the fields <paramref name="changes"/> sets; null when the session does not exist or belongs to someone else.</summary>
    Task<ConversationSession?> UpdateSessionAsync(string ownerId, string sessionId, SessionChanges changes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes <paramref name="messageId"/> the session's current message (the end of the branch shown); false when the
    /// session does not exist, belongs to someone else, or holds no such message.
    /// </summary>
    Task<bool> SelectMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="import"/> as a new session of <paramref name="ownerId"/>, all of it or nothing.</summary>
    Task<ConversationSession> ImportSessionAsync(string ownerId, SessionImport import, CancellationToken cancellationToken = default);

    /// <summary>Deletes the session and its messages; false when it does not exist or belongs to someone else.</summary>
    Task<bool> DeleteSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The session's messages of every branch, oldest first, with their parents (see <see cref="MessageTree"/>); null when
    /// the session does not exist or belongs to someone else.
    /// </summary>
    Task<IReadOnlyList<StoredMessage>?> ListMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds a message after its <see cref="NewMessage.ParentId"/> and makes it the current one; null when the session does
    /// not exist or belongs to someone else. Throws <see cref="ArgumentException"/> for a parent the session does not hold.
    /// </summary>
    Task<StoredMessage?> AddMessageAsync(string ownerId, string sessionId, NewMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes one message and what follows it (used to take back a user's message whose turn never ran); the current
    /// message moves to its parent when it was the current one. False when absent.
    /// </summary>
    Task<bool> DeleteMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default);
}
