namespace Frugal.Server.Contracts;

/// <summary>One message of a <see cref="ChatExport"/>.</summary>
public sealed record ExportedMessage(
    long? Id,
    long? ParentId,
    string? Role,
    string? Content,
    string? FinishReason = null,
    string? Status = null,
    DateTimeOffset? CreatedAt = null);
