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

    public async Task<ConversationSession> ImportSessionAsync(string ownerId, SessionImport import, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(import);
        var id = ConversationRows.NewSessionId();
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One transaction: the session and every message, or nothing.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = Command(connection, """
            INSERT INTO sessions (id, owner_id, title, system_prompt, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5);
            """, id, ownerId, import.Title, import.SystemPrompt, now))
        {
            create.Transaction = transaction;
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var ids = new ImportedIds();
        foreach (var item in import.Messages)
        {
            ids.Add(item, (await InsertAsync(connection, transaction, id, item.Message, ids.ParentOf(item), now, cancellationToken).ConfigureAwait(false)).Id);
        }

        var current = ids.Current(import);
        await using var finish = Command(connection, $"""
            UPDATE sessions s SET current_message_id = $3, max_tokens = $10, temperature = $11, top_p = $12, top_k = $13, seed = $14
            WHERE s.id = $2 AND s.owner_id = $1 RETURNING {ConversationRows.SessionColumns};
            """, ownerId, id, current, null, null, null, null, null, null);
        finish.Parameters[2] = Nullable(current);
        AddSettings(finish, import.Settings);
        finish.Transaction = transaction;
        var session = (await ReadAllAsync(finish, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false))[0];
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return session;
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
        var stored = await InsertAsync(connection, transaction, sessionId, message, parent, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
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

    private static async Task<ConversationSession?> ReadSessionAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string ownerId, string sessionId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.id = $2 AND s.owner_id = $1;", ownerId, sessionId);
        command.Transaction = transaction;
        var sessions = await ReadAllAsync(command, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false);
        return sessions.Count == 0 ? null : sessions[0];
    }

    // PostgreSQL's text cannot hold U+0000 (a small model can generate it as a byte token); it is kept as U+FFFD.
    private static string Storable(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    // Adds the message after parent and makes it the session's current one (the caller checked the session and the parent).
    private static async Task<StoredMessage> InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sessionId, NewMessage message, long? parent, long now, CancellationToken cancellationToken)
    {
        await using var insert = Command(connection, $"""
            INSERT INTO messages (session_id, parent_id, role, content, token_count, finish_reason, status, created_at, updated_at, context_shifted, token_ids)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)
            RETURNING {ConversationRows.MessageColumns};
            """, sessionId, null, ConversationRows.RoleName(message.Role), message.Content, message.TokenCount,
            message.FinishReason, MessageStatusNames.ToName(message.Status), now, message.ContextShifted,
            new NpgsqlParameter { Value = message.TokenIds is { } ids ? ConversationRows.ToBytes(ids) : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea });
        insert.Parameters[1] = Nullable(parent);
        insert.Transaction = transaction;
        var stored = (await ReadAllAsync(insert, ConversationRows.ReadMessage, cancellationToken).ConfigureAwait(false))[0];
        await using var current = Command(connection, "UPDATE sessions SET current_message_id = $2 WHERE id = $1;", sessionId, stored.Id);
        current.Transaction = transaction;
        await current.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private static async Task<bool> HoldsMessageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sessionId, long messageId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT 1 FROM messages WHERE id = $2 AND session_id = $1;", sessionId, messageId);
        command.Transaction = transaction;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    // Parameters $10..$14: the settings' columns, typed so that a null is not guessed.
    private static void AddSettings(NpgsqlCommand command, ChatSettings settings)
    {
        while (command.Parameters.Count < 9)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        }

        command.Parameters.Add(Typed(settings.MaxTokens, NpgsqlTypes.NpgsqlDbType.Integer));
        command.Parameters.Add(Typed(settings.Temperature, NpgsqlTypes.NpgsqlDbType.Double));
        command.Parameters.Add(Typed(settings.TopP, NpgsqlTypes.NpgsqlDbType.Double));
        command.Parameters.Add(Typed(settings.TopK, NpgsqlTypes.NpgsqlDbType.Integer));
        command.Parameters.Add(Typed(settings.Seed, NpgsqlTypes.NpgsqlDbType.Bigint));
    }

    private static NpgsqlParameter Nullable(long? value) => Typed(value, NpgsqlTypes.NpgsqlDbType.Bigint);

    private static NpgsqlParameter Typed(object? value, NpgsqlTypes.NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            if (value is NpgsqlParameter typed)
            {
                command.Parameters.Add(typed);
                continue;
            }

            // Every nullable column here is text; a typed null keeps PostgreSQL from guessing.
            command.Parameters.Add(value is null
                ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }
                : new NpgsqlParameter { Value = value is string text ? Storable(text) : value });
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
