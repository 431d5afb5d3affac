namespace Frugal.Server.Contracts;

/// <summary>
/// A session on the wire: <c>{"id", "object": "session", "title", "system_prompt", "created_at", "updated_at", "message_count",
/// "current_message_id", "settings": {settings}}</c> (times ISO 8601, UTC; <c>message_count</c> counts every version;
/// <c>current_message_id</c> ends the branch shown).
/// </summary>
public sealed record SessionResource(
    string Id,
    string Object,
    string? Title,
    string? SystemPrompt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int MessageCount,
    long? CurrentMessageId,
    SessionSettings Settings);
