namespace Frugal.Server.Contracts;

/// <summary>
/// A session in <c>GET /api/sessions</c>: the session without its system prompt (which can be long; read it with
/// <c>GET /api/sessions/{id}</c>): <c>{"id", "object": "session", "title", "created_at", "updated_at", "message_count"}</c>.
/// </summary>
public sealed record SessionListItem(
    string Id,
    string Object,
    string? Title,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int MessageCount);
