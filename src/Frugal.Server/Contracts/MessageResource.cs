namespace Frugal.Server.Contracts;

/// <summary>
/// A stored message on the wire: <c>{"id", "object": "session.message", "session_id", "role" ("user"|"assistant"),
/// "content", "token_count", "created_at", "updated_at", "finish_reason" (null|"stop"|"length"|"cancelled"|"error"),
/// "status" ("complete"|"partial"|"failed")}</c>.
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
    string Status);
