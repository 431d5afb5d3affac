using System.Buffers.Binary;
using System.Buffers.Text;
using System.Data.Common;
using System.Security.Cryptography;
using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>
/// The row shape every <see cref="IConversationStore"/> on a SQL database shares: the columns it selects, in the
/// order the readers here expect, and how a new session's id is made.
/// </summary>
public static class ConversationRows
{
    /// <summary>A session's columns (table alias <c>s</c>) and its message count, as <see cref="ReadSession"/> reads them.</summary>
    public const string SessionColumns = """
        s.id, s.owner_id, s.title, s.system_prompt, s.created_at, s.updated_at,
        (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id),
        s.current_message_id, s.max_tokens, s.temperature, s.top_p, s.top_k, s.seed
        """;

    /// <summary>A message's columns, as <see cref="ReadMessage"/> reads them.</summary>
    public const string MessageColumns = "id, session_id, role, content, token_count, created_at, updated_at, finish_reason, status, context_shifted, parent_id, token_ids";

    /// <summary>A new session id: <c>ses_</c> and 120 random bits, URL-safe.</summary>
    public static string NewSessionId() => "ses_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(15));

    /// <summary>How a message's role is stored: <c>user</c> or <c>assistant</c> (the only roles a session keeps).</summary>
    public static string RoleName(ChatRole role) => role == ChatRole.User ? "user" : "assistant";

    /// <summary>The session at the reader's row of <see cref="SessionColumns"/> (times are Unix milliseconds).</summary>
    public static ConversationSession ReadSession(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        (int)reader.GetInt64(6))
    {
        CurrentMessageId = reader.IsDBNull(7) ? null : reader.GetInt64(7),
        Settings = new ChatSettings
        {
            MaxTokens = reader.IsDBNull(8) ? null : reader.GetInt32(8),
            Temperature = reader.IsDBNull(9) ? null : reader.GetDouble(9),
            TopP = reader.IsDBNull(10) ? null : reader.GetDouble(10),
            TopK = reader.IsDBNull(11) ? null : reader.GetInt32(11),
            Seed = reader.IsDBNull(12) ? null : reader.GetInt64(12),
        },
    };

    /// <summary>The message at the reader's row of <see cref="MessageColumns"/>.</summary>
    public static StoredMessage ReadMessage(DbDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetString(1),
        reader.GetString(2) == "user" ? ChatRole.User : ChatRole.Assistant,
        reader.GetString(3),
        reader.GetInt32(4),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        MessageStatusNames.Parse(reader.GetString(8)))
    {
        ContextShifted = reader.GetBoolean(9), // PostgreSQL's boolean; SQLite's integer 0 or 1
        ParentId = reader.IsDBNull(10) ? null : reader.GetInt64(10),
        TokenIds = reader.IsDBNull(11) ? null : ToTokenIds((byte[])reader.GetValue(11)),
    };

    /// <summary>How a reply's token ids are stored (a BLOB, a BYTEA): little-endian 32-bit integers.</summary>
    public static byte[] ToBytes(IReadOnlyList<int> tokenIds)
    {
        ArgumentNullException.ThrowIfNull(tokenIds);
        var bytes = new byte[4 * tokenIds.Count];
        for (var i = 0; i < tokenIds.Count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), tokenIds[i]);
        }

        return bytes;
    }

    private static int[] ToTokenIds(byte[] bytes)
    {
        var ids = new int[bytes.Length / 4];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4 * i));
        }

        return ids;
    }
}
