using Frugal.Conversations;
using static Frugal.Storage.Sqlite.SqliteSessionRows;

namespace Frugal.Storage.Sqlite;

/// <summary>
/// A session brought in whole (<c>POST /api/sessions/import</c>): the session, every message with its place in the
/// tree, the current message and the settings, in one transaction, or nothing.
/// </summary>
internal static class SqliteSessionImport
{
    public static ConversationSession Import(SqliteDatabase database, string ownerId, SessionImport import, long now)
    {
        var id = ConversationRows.NewSessionId();
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        InsertSession(connection, transaction, id, ownerId, import.Title, import.SystemPrompt, now);
        var ids = new ImportedIds();
        foreach (var item in import.Messages)
        {
            ids.Add(item, InsertMessage(connection, transaction, id, item.Message, ids.ParentOf(item), now).Id);
        }

        using var finish = Command(connection, transaction, """
            UPDATE sessions SET current_message_id = $current, max_tokens = $max_tokens, temperature = $temperature,
                top_p = $top_p, top_k = $top_k, seed = $seed WHERE id = $id AND owner_id = $owner;
            """);
        finish.Parameters.AddWithValue("$current", (object?)ids.Current(import) ?? DBNull.Value);
        finish.Parameters.AddWithValue("$max_tokens", (object?)import.Settings.MaxTokens ?? DBNull.Value);
        finish.Parameters.AddWithValue("$temperature", (object?)import.Settings.Temperature ?? DBNull.Value);
        finish.Parameters.AddWithValue("$top_p", (object?)import.Settings.TopP ?? DBNull.Value);
        finish.Parameters.AddWithValue("$top_k", (object?)import.Settings.TopK ?? DBNull.Value);
        finish.Parameters.AddWithValue("$seed", (object?)import.Settings.Seed ?? DBNull.Value);
        AddKey(finish, ownerId, id);
        finish.ExecuteNonQuery();
        var session = ReadSession(connection, transaction, ownerId, id)!;
        transaction.Commit();
        return session;
    }
}
