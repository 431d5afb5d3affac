namespace Frugal.Conversations;

/// <summary>
/// A whole conversation to store as a new session in one transaction (an imported export): its messages with the
/// ids they had where they came from, each parent listed before its children.
/// </summary>
public sealed record SessionImport
{
    public string? Title { get; init; }

    public string? SystemPrompt { get; init; }

    public ChatSettings Settings { get; init; } = ChatSettings.Defaults;

    /// <summary>The messages, parents first; <see cref="ImportedMessage.Id"/> and <see cref="ImportedMessage.ParentId"/> are the source's ids.</summary>
    public required IReadOnlyList<ImportedMessage> Messages { get; init; }

    /// <summary>The source id of the message shown last (the current branch's end), or null for none.</summary>
    public long? CurrentMessageId { get; init; }
}
