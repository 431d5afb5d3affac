using System.Data;
using Frugal.Conversations;
using Frugal.Inference;
using Npgsql;

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

    public async Task<ConversationSession?> RenameSessionAsync(string ownerId, string sessionId, string? title, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, $"""
            UPDATE sessions s SET title = $3, updated_at = $4 WHERE s.id = $2 AND s.owner_id = $1 RETURNING {ConversationRows.SessionColumns};
            """, ownerId, sessionId, title, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var sessions = await ReadAllAsync(command, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false);
        return sessions.Count == 0 ? null : sessions[0];
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
        // One statement: the session is touched and the message inserted only when the owner matches.
        await using var command = Command(connection, $"""
            WITH touched AS (
                UPDATE sessions SET updated_at = $3 WHERE id = $2 AND owner_id = $1 RETURNING id)
            INSERT INTO messages (session_id, role, content, token_count, finish_reason, status, context_shifted, created_at, updated_at)
            SELECT id, $4, $5, $6, $7, $8, $9, $3, $3 FROM touched
            RETURNING {ConversationRows.MessageColumns};
            """,
            ownerId, sessionId, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            ConversationRows.RoleName(message.Role), message.Content, message.TokenCount,
            message.FinishReason, MessageStatusNames.ToName(message.Status), message.ContextShifted);
        var stored = await ReadAllAsync(command, ConversationRows.ReadMessage, cancellationToken).ConfigureAwait(false);
        return stored.Count == 0 ? null : stored[0];
    }

    public async Task<bool> DeleteMessageAsync(string ownerId, string sessionId, long messageId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(connection, """
            DELETE FROM messages WHERE id = $3 AND session_id = (SELECT id FROM sessions WHERE id = $2 AND owner_id = $1);
            """, ownerId, sessionId, messageId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private static async Task<ConversationSession?> ReadSessionAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string ownerId, string sessionId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.id = $2 AND s.owner_id = $1;", ownerId, sessionId);
        command.Transaction = transaction;
        var sessions = await ReadAllAsync(command, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false);
        return sessions.Count == 0 ? null : sessions[0];
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            // Every nullable column here is text; a typed null keeps PostgreSQL from guessing.
            command.Parameters.Add(value is null
                ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }
                : new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
