namespace Frugal.Server.Contracts;

/// <summary>A session on the wire: <c>{"id", "object": "session", "title", "system_prompt", "created_at", "updated_at", "message_count"}</c> (times ISO 8601, UTC).</summary>
public sealed record SessionResource(
    string Id,
    string Object,
    string? Title,
    string? SystemPrompt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int MessageCount);
