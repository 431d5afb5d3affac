using Frugal.Conversations;
using Frugal.Inference;
using static Frugal.Storage.Sqlite.SqliteSessionRows;

namespace Frugal.Storage.Sqlite;

/// <summary>Sessions and messages in the SQLite file. Every query filters by owner, so a foreign id behaves as a missing one.</summary>
public sealed class SqliteConversationStore(SqliteDatabase database, TimeProvider timeProvider) : IConversationStore
{
    public SqliteConversationStore(SqliteDatabase database) : this(database, TimeProvider.System)
    {
    }

    public Task<ConversationSession> CreateSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var id = ConversationRows.NewSessionId();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        InsertSession(connection, transaction, id, ownerId, title, systemPrompt, now);
        transaction.Commit();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(now);
        return Task.FromResult(new ConversationSession(id, ownerId, title, systemPrompt, at, at, 0));
    }

    public Task<IReadOnlyList<ConversationSession>> ListSessionsAsync(string ownerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var command = Command(connection, null,
            $"SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.owner_id = $owner ORDER BY s.updated_at DESC, s.created_at DESC, s.id DESC;");
        command.Parameters.AddWithValue("$owner", ownerId);
        using var reader = command.ExecuteReader();
        var sessions = new List<ConversationSession>();
        while (reader.Read())
        {
            sessions.Add(ConversationRows.ReadSession(reader));
        }

        return Task.FromResult<IReadOnlyList<ConversationSession>>(sessions);
    }

    public Task<SessionPage> ListSessionsAsync(string ownerId, int limit, string? after, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        // Keyset paging on the list's order; an unknown 'after' matches nothing, so the page is empty.
        using var command = Command(connection, null, $"""
            SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.owner_id = $owner
              AND ($after IS NULL OR (s.updated_at, s.created_at, s.id) <
                  (SELECT a.updated_at, a.created_at, a.id FROM sessions a WHERE a.id = $after AND a.owner_id = $owner))
            ORDER BY s.updated_at DESC, s.created_at DESC, s.id DESC LIMIT $take;
            """);
        command.Parameters.AddWithValue("$owner", ownerId);
        command.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        command.Parameters.AddWithValue("$take", (long)limit + 1);
        using var reader = command.ExecuteReader();
        var sessions = new List<ConversationSession>();
        while (reader.Read())
        {
            sessions.Add(ConversationRows.ReadSession(reader));
        }

        var hasMore = sessions.Count > limit;
        return Task.FromResult(new SessionPage(hasMore ? sessions[..limit] : sessions, hasMore));
    }

    public Task<StorageUsage> GetUsageAsync(string ownerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var command = Command(connection, null, """
            SELECT (SELECT COUNT(*) FROM sessions WHERE owner_id = $owner),
                   (SELECT COUNT(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.owner_id = $owner),
                   (SELECT COALESCE(SUM(LENGTH(CAST(COALESCE(title, '') AS BLOB)) + LENGTH(CAST(COALESCE(system_prompt, '') AS BLOB))), 0)
                      FROM sessions WHERE owner_id = $owner)
                 + (SELECT COALESCE(SUM(LENGTH(CAST(m.content AS BLOB))), 0) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.owner_id = $owner);
            """);
        command.Parameters.AddWithValue("$owner", ownerId);
        using var reader = command.ExecuteReader();
        reader.Read();
        return Task.FromResult(new StorageUsage(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)));
    }

    public Task<ConversationSession?> GetSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        return Task.FromResult(ReadSession(connection, null, ownerId, sessionId));
    }

    public Task<ConversationSession?> UpdateSessionAsync(string ownerId, string sessionId, SessionChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = Command(connection, transaction, "");
        var set = new List<string> { "updated_at = $now" };
        if (changes.HasTitle)
        {
            set.Add("title = $title");
            command.Parameters.AddWithValue("$title", (object?)changes.Title ?? DBNull.Value);
        }

        if (changes.HasSystemPrompt)
        {
            set.Add("system_prompt = $system");
            command.Parameters.AddWithValue("$system", (object?)changes.SystemPrompt ?? DBNull.Value);
        }

        if (changes.HasSettings)
        {
            var settings = changes.Settings ?? ChatSettings.Defaults;
            set.Add("max_tokens = $max_tokens, temperature = $temperature, top_p = $top_p, top_k = $top_k, seed = $seed");
            command.Parameters.AddWithValue("$max_tokens", (object?)settings.MaxTokens ?? DBNull.Value);
            command.Parameters.AddWithValue("$temperature", (object?)settings.Temperature ?? DBNull.Value);
            command.Parameters.AddWithValue("$top_p", (object?)settings.TopP ?? DBNull.Value);
            command.Parameters.AddWithValue("$top_k", (object?)settings.TopK ?? DBNull.Value);
            command.Parameters.AddWithValue("$seed", (object?)settings.Seed ?? DBNull.Value);
        }

        command.CommandText = $"UPDATE sessions SET {string.Join(", ", set)} WHERE id = $id AND owner_id = $owner;";
        command.Parameters.AddWithValue("$now", timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        AddKey(command, ownerId, sessionId);
        if (command.ExecuteNonQuery() == 0)
        {
            return Task.FromResult<ConversationSession?>(null);
        }

        var session = ReadSession(connection, transaction, ownerId, sessionId);
        transaction.Commit();
        return Task.FromResult(session);
    }

    public Task<bool> SelectMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = Command(connection, transaction, """
            UPDATE sessions SET current_message_id = $message WHERE id = $id AND owner_id = $owner
              AND EXISTS (SELECT 1 FROM messages m WHERE m.id = $message AND m.session_id = $id);
            """);
        command.Parameters.AddWithValue("$message", messageId);
        AddKey(command, ownerId, sessionId);
        var selected = command.ExecuteNonQuery() > 0;
        transaction.Commit();
        return Task.FromResult(selected);
    }

    public Task<ConversationSession> ImportSessionAsync(string ownerId, SessionImport import, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(SqliteSessionImport.Import(database, ownerId, import, timeProvider.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public Task<bool> DeleteSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = Command(connection, transaction, "DELETE FROM sessions WHERE id = $id AND owner_id = $owner;");
        AddKey(command, ownerId, sessionId);
        var deleted = command.ExecuteNonQuery() > 0;
        transaction.Commit();
        return Task.FromResult(deleted);
    }

    public Task<IReadOnlyList<StoredMessage>?> ListMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        // One read transaction: the session check and the messages see the same snapshot.
        using var transaction = connection.BeginTransaction(deferred: true);
        if (ReadSession(connection, transaction, ownerId, sessionId) is null)
        {
            return Task.FromResult<IReadOnlyList<StoredMessage>?>(null);
        }

        using var command = Command(connection, transaction, $"SELECT {ConversationRows.MessageColumns} FROM messages WHERE session_id = $id ORDER BY id;");
        command.Parameters.AddWithValue("$id", sessionId);
        using var reader = command.ExecuteReader();
        var messages = new List<StoredMessage>();
        while (reader.Read())
        {
            messages.Add(ConversationRows.ReadMessage(reader));
        }

        transaction.Commit();
        return Task.FromResult<IReadOnlyList<StoredMessage>?>(messages);
    }

    public Task<StoredMessage?> AddMessageAsync(string ownerId, string sessionId, NewMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Role is not (ChatRole.User or ChatRole.Assistant))
        {
            throw new ArgumentException("Only user and assistant messages are stored; the system prompt belongs to the session.", nameof(message));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var touch = Command(connection, transaction, "UPDATE sessions SET updated_at = $now WHERE id = $id AND owner_id = $owner;");
        touch.Parameters.AddWithValue("$now", now);
        AddKey(touch, ownerId, sessionId);
        if (touch.ExecuteNonQuery() == 0)
        {
            return Task.FromResult<StoredMessage?>(null);
        }

        var parent = message.ParentId switch
        {
            null => CurrentMessage(connection, transaction, sessionId),
            NewMessage.AtStart => null,
            { } id when HoldsMessage(connection, transaction, sessionId, id) => id,
            { } id => throw new ArgumentException($"Session '{sessionId}' holds no message {id} to follow.", nameof(message)),
        };
        var stored = InsertMessage(connection, transaction, sessionId, message, parent, now);
        transaction.Commit();
        return Task.FromResult<StoredMessage?>(stored);
    }

    public Task<bool> DeleteMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var command = Command(connection, transaction, """
            UPDATE sessions SET current_message_id = (SELECT parent_id FROM messages WHERE id = $message)
                WHERE id = $id AND owner_id = $owner AND current_message_id = $message;
            DELETE FROM messages WHERE id = $message AND session_id =
                (SELECT id FROM sessions WHERE id = $id AND owner_id = $owner);
            """);
        command.Parameters.AddWithValue("$message", messageId);
        AddKey(command, ownerId, sessionId);
        var deleted = command.ExecuteNonQuery() > 0;
        transaction.Commit();
        return Task.FromResult(deleted);
    }
}
