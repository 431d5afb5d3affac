using Frugal.Conversations;
using Npgsql;

namespace Frugal.Storage.Postgres;

/// <summary>
/// The statements the PostgreSQL conversation store and its import share: commands with typed parameters, inserting
/// a message, reading a session by owner and id.
/// </summary>
internal static class PostgresSessionRows
{
    public static async Task<ConversationSession?> ReadSessionAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string ownerId, string sessionId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, $"SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.id = $2 AND s.owner_id = $1;", ownerId, sessionId);
        command.Transaction = transaction;
        var sessions = await ReadAllAsync(command, ConversationRows.ReadSession, cancellationToken).ConfigureAwait(false);
        return sessions.Count == 0 ? null : sessions[0];
    }

    // PostgreSQL's text cannot hold U+0000 (a small model can generate it as a byte token); it is kept as U+FFFD.
    public static string Storable(string text) => text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text;

    // Adds the message after parent and makes it the session's current one (the caller checked the session and the parent).
    public static async Task<StoredMessage> InsertMessageAsync(
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

    public static async Task<bool> HoldsMessageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sessionId, long messageId, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "SELECT 1 FROM messages WHERE id = $2 AND session_id = $1;", sessionId, messageId);
        command.Transaction = transaction;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    // Parameters $10..$14: the settings' columns, typed so that a null is not guessed.
    public static void AddSettings(NpgsqlCommand command, ChatSettings settings)
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

    public static NpgsqlParameter Nullable(long? value) => Typed(value, NpgsqlTypes.NpgsqlDbType.Bigint);

    public static NpgsqlParameter Typed(object? value, NpgsqlTypes.NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };

    public static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
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

    public static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
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
