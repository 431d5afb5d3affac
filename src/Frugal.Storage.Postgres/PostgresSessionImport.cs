using Frugal.Conversations;
using static Frugal.Storage.Postgres.PostgresSessionRows;

namespace Frugal.Storage.Postgres;

/// <summary>
/// A session brought in whole (<c>POST /api/sessions/import</c>): the session, every message with its place in the
/// tree, the current message and the settings, in one transaction, or nothing.
/// </summary>
internal static class PostgresSessionImport
{
    public static async Task<ConversationSession> ImportAsync(PostgresDatabase database, string ownerId, SessionImport import, long now,
        CancellationToken cancellationToken)
    {
        var id = ConversationRows.NewSessionId();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
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
            ids.Add(item, (await InsertMessageAsync(connection, transaction, id, item.Message, ids.ParentOf(item), now, cancellationToken).ConfigureAwait(false)).Id);
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
}
