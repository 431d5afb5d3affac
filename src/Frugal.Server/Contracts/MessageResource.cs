namespace Frugal.Server.Contracts;

/// <summary>
/// A stored message on the wire: <c>{"id", "object": "session.message", "session_id", "role" ("user"|"assistant"),
/// "content", "token_count", "created_at", "updated_at", "finish_reason" (null|"stop"|"length"|"cancelled"|"error"),
/// "status" ("complete"|"partial"|"failed"), "context_shifted", "parent_id" (the message it follows, null for the first),
/// "versions" (the ids of its versions, itself included, oldest first: the messages with the same parent; in the message
/// list and in a turn's own answer and events alike)}</c>.
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
    IReadOnlyList<long>? Versions)
{
    /// <summary>
    /// For replies: true when older turns were removed from the session's KV cache for this reply and the kept ones
    /// moved down instead of being read again (a context shift); always false for user messages.
    /// </summary>
    public bool ContextShifted { get; init; }
}
