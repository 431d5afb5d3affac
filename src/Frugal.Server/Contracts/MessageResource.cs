namespace Frugal.Server.Contracts;

/// <summary>
/// A stored message on the wire: <c>{"id", "object": "session.message", "session_id", "role" ("user"|"assistant"),
/// "content", "token_count", "created_at", "updated_at", "finish_reason" (null|"stop"|"length"|"cancelled"|"error"),
/// "status" ("complete"|"partial"|"failed"), "parent_id" (the message it follows, null for the first),
/// "versions" (the ids of its versions, itself included, oldest first: the messages with the same parent; null in a
/// turn's own answer and events — read the message list for them)}</c>.
/// </summary>
public sealed record MessageResource(
    long Id,
    string Object,
    string SessionId,
    string Role,
    string Content,
    int TokenCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? FinishReason,
    string Status,
    long? ParentId,
    IReadOnlyList<long>? Versions);
