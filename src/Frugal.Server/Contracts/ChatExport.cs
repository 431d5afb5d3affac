namespace Frugal.Server.Contracts;

/// <summary>
/// A whole session as <c>GET /api/sessions/{id}/export</c> writes it and <c>POST /api/sessions/import</c> reads it:
/// <c>{"format": "frugal.chat", "version": 1, "title", "system_prompt", "settings", "current_message_id", "exported_at",
/// "messages": [{"id", "parent_id", "role", "content", "finish_reason", "status", "created_at"}]}</c>, every version of every
/// message, parents before their children.
/// </summary>
public sealed record ChatExport(
    string? Format,
    int? Version,
    string? Title,
    string? SystemPrompt,
    SessionSettings? Settings,
    long? CurrentMessageId,
    DateTimeOffset? ExportedAt,
    IReadOnlyList<ExportedMessage>? Messages)
{
    /// <summary>The value of <c>format</c>.</summary>
    public const string FormatName = "frugal.chat";

    /// <summary>The version of the format written (and the only one read).</summary>
    public const int CurrentVersion = 1;
}
