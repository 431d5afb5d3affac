using Frugal.Conversations;
using Microsoft.Data.Sqlite;

namespace Frugal.Storage.Sqlite;

/// <summary>
/// The statements the SQLite conversation store and its import share: commands in a transaction, inserting a
/// session or a message, reading a session by owner and id.
/// </summary>
internal static class SqliteSessionRows
{
    public static void InsertSession(SqliteConnection connection, SqliteTransaction transaction, string id, string ownerId, string? title, string? systemPrompt, long now)
    {
        using var command = Command(connection, transaction, """
            INSERT INTO sessions (id, owner_id, title, system_prompt, created_at, updated_at)
            VALUES ($id, $owner, $title, $system, $now, $now);
            """);
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$owner", ownerId);
        command.Parameters.AddWithValue("$title", (object?)title ?? DBNull.Value);
        command.Parameters.AddWithValue("$system", (object?)systemPrompt ?? DBNull.Value);
        command.Parameters.AddWithValue("$now", now);
        command.ExecuteNonQuery();
    }

    // Adds the message after parent and makes it the session's current one (the caller checked the session and the parent).
    public static StoredMessage InsertMessage(SqliteConnection connection, SqliteTransaction transaction, string sessionId, NewMessage message, long? parent, long now)
    {
        using var insert = Command(connection, transaction, $"""
            INSERT INTO messages (session_id, parent_id, role, content, token_count, finish_reason, status, context_shifted, token_ids, created_at, updated_at)
            VALUES ($id, $parent, $role, $content, $tokens, $finish, $status, $shifted, $ids, $now, $now)
            RETURNING {ConversationRows.MessageColumns};
            """);
        insert.Parameters.AddWithValue("$id", sessionId);
        insert.Parameters.AddWithValue("$parent", (object?)parent ?? DBNull.Value);
        insert.Parameters.AddWithValue("$role", ConversationRows.RoleName(message.Role));
        insert.Parameters.AddWithValue("$content", message.Content);
        insert.Parameters.AddWithValue("$tokens", message.TokenCount);
        insert.Parameters.AddWithValue("$finish", (object?)message.FinishReason ?? DBNull.Value);
        insert.Parameters.AddWithValue("$status", MessageStatusNames.ToName(message.Status));
        insert.Parameters.AddWithValue("$shifted", message.ContextShifted ? 1 : 0);
        insert.Parameters.AddWithValue("$ids", message.TokenIds is { } ids ? ConversationRows.ToBytes(ids) : DBNull.Value);
        insert.Parameters.AddWithValue("$now", now);
        StoredMessage stored;
        using (var reader = insert.ExecuteReader())
        {
            reader.Read();
            stored = ConversationRows.ReadMessage(reader);
        }

        using var current = Command(connection, transaction, "UPDATE sessions SET current_message_id = $message WHERE id = $id;");
        current.Parameters.AddWithValue("$message", stored.Id);
        current.Parameters.AddWithValue("$id", sessionId);
        current.ExecuteNonQuery();
        return stored;
    }

    public static long? CurrentMessage(SqliteConnection connection, SqliteTransaction transaction, string sessionId)
    {
        using var command = Command(connection, transaction, "SELECT current_message_id FROM sessions WHERE id = $id;");
        command.Parameters.AddWithValue("$id", sessionId);
        return command.ExecuteScalar() is long id ? id : null;
    }

    public static bool HoldsMessage(SqliteConnection connection, SqliteTransaction transaction, string sessionId, long messageId)
    {
        using var command = Command(connection, transaction, "SELECT 1 FROM messages WHERE id = $message AND session_id = $id;");
        command.Parameters.AddWithValue("$message", messageId);
        command.Parameters.AddWithValue("$id", sessionId);
        return command.ExecuteScalar() is not null;
    }

    public static ConversationSession? ReadSession(SqliteConnection connection, SqliteTransaction? transaction, string ownerId, string sessionId)
    {
        using var command = Command(connection, transaction, $"SELECT {ConversationRows.SessionColumns} FROM sessions s WHERE s.id = $id AND s.owner_id = $owner;");
        AddKey(command, ownerId, sessionId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ConversationRows.ReadSession(reader) : null;
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    public static void AddKey(SqliteCommand command, string ownerId, string sessionId)
    {
        command.Parameters.AddWithValue("$id", sessionId);
        command.Parameters.AddWithValue("$owner", ownerId);
    }
}
