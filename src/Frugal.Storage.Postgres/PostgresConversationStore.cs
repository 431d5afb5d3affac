using System.Data;
using Frugal.Conversations;
using Frugal.Inference;
using static Frugal.Storage.Postgres.PostgresSessionRows;

namespace Frugal.Storage.Postgres;

/// <summary>
/// Sessions and messages in PostgreSQL. Every query filters by owner, so a foreign id behaves as a
/// missing one; every write is one statement or one transaction.
/// </summary>
public sealed class PostgresConversationStore(PostgresDatabase database, TimeProvider timeProvider) : IConversationStore
{
    public PostgresConversationStore(PostgresDatabase database) : this(database, TimeProvider.System)
    {
    }

    public async Task<ConversationSession> CreateSessionAsync(string ownerId, string? title, string? systemPrompt, CancellationToken cancellationToken = default)
    {
        var id = ConversationRows.NewSessionId();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            INSERT INTO sessions (id, owner_id, title, system_prompt, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5);
            """, id, ownerId, title, systemPrompt, now);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(now);
        return new ConversationSession(id, ownerId, title, systemPrompt, at, at, 0);
    }

    public async Task<IReadOnlyList<ConversationSession>> ListSessionsAsync(string ownerId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection,
            $"SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.owner_id = $1 ORDER BY s.updated_at DESC, s.created_at DESC;", ownerId);
        return await ReadAllAsync(command, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ConversationSession?> GetSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSessionAsync(connection, null, ownerId, sessionId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ConversationSession?> UpdateSessionAsync(string ownerId, string sessionId, SessionChanges changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var settings = changes.Settings ?? ChatSettings.Defaults;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // $5..$7 say which fields change; the others keep their values.
        await using var command = Command(connection, $"""
            UPDATE sessions s SET updated_at = $4,
                title = CASE WHEN $5 THEN $8 ELSE s.title END,
                system_prompt = CASE WHEN $6 THEN $9 ELSE s.system_prompt END,
                max_tokens = CASE WHEN $7 THEN $10 ELSE s.max_tokens END,
                temperature = CASE WHEN $7 THEN $11 ELSE s.temperature END,
                top_p = CASE WHEN $7 THEN $12 ELSE s.top_p END,
                top_k = CASE WHEN $7 THEN $13 ELSE s.top_k END,
                seed = CASE WHEN $7 THEN $14 ELSE s.seed END
            WHERE s.id = $2 AND s.owner_id = $1 RETURNING {ConversationRows.SessionColumns};
            """, ownerId, sessionId, null, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            changes.HasTitle, changes.HasSystemPrompt, changes.HasSettings, changes.Title, changes.SystemPrompt);
        AddSettings(command, settings);
        var sessions = await ReadAllAsync(command, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false);
        return sessions.Count == 0 ? null : sessions[0];
    }

    public async Task<bool> SelectMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            UPDATE sessions SET current_message_id = $3 WHERE id = $2 AND owner_id = $1
              AND EXISTS (SELECT 1 FROM messages m WHERE m.id = $3 AND m.session_id = $2);
            """, ownerId, sessionId, messageId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public Task<ConversationSession> ImportSessionAsync(string ownerId, SessionImport import, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        return PostgresSessionImport.ImportAsync(database, ownerId, import, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }

    public async Task<bool> DeleteSessionAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, "DELETE FROM sessions WHERE id = $2 AND owner_id = $1;", ownerId, sessionId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<StoredMessage>?> ListMessagesAsync(string ownerId, string sessionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the session check and the messages.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        if (await ReadSessionAsync(connection, transaction, ownerId, sessionId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        await using var command = Command(connection, $"SELECT {ConversationRows.MessageColumns} FROM messages WHERE session_id = $1 ORDER BY id;", sessionId);
        command.Transaction = transaction;
        var messages = await ReadAllAsync(command, ConversationRows.ReadMessage, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return messages;
    }

    public async Task<StoredMessage?> AddMessageAsync(string ownerId, string sessionId, NewMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Role is not (ChatRole.User or ChatRole.Assistant))
        {
            throw new ArgumentException("Only user and assistant messages are stored; the system prompt belongs to the session.", nameof(message));
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The session's row is locked until the message is in: two writers cannot both follow the same current message.
        await using var touch = Command(connection, """
            UPDATE sessions SET updated_at = $3 WHERE id = $2 AND owner_id = $1 RETURNING current_message_id;
            """, ownerId, sessionId, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        touch.Transaction = transaction;
        var touched = await ReadAllAsync(touch, r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0), cancellationToken).ConfigureAwait(false);
        if (touched.Count == 0)
        {
            return null;
        }

        long? parent = message.ParentId switch
        {
            null => touched[0],
            NewMessage.AtStart => null,
            { } id => await HoldsMessageAsync(connection, transaction, sessionId, id, cancellationToken).ConfigureAwait(false)
                ? id
                : throw new ArgumentException($"Session '{sessionId}' holds no message {id} to follow.", nameof(message)),
        };
        var stored = await InsertMessageAsync(connection, transaction, sessionId, message, parent, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    public async Task<bool> DeleteMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var move = Command(connection, """
            UPDATE sessions SET current_message_id = (SELECT parent_id FROM messages WHERE id = $3)
                WHERE id = $2 AND owner_id = $1 AND current_message_id = $3;
            """, ownerId, sessionId, messageId))
        {
            move.Transaction = transaction;
            await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var command = Command(connection, """
            DELETE FROM messages WHERE id = $3 AND session_id = (SELECT id FROM sessions WHERE id = $2 AND owner_id = $1);
            """, ownerId, sessionId, messageId);
        command.Transaction = transaction;
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }
}
