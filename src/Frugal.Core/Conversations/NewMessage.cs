using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>A message to add to a conversation; it becomes the session's current message.</summary>
public sealed record NewMessage
{
    /// <summary>A <see cref="ParentId"/> that places the message at the start, as a new version of the first message.</summary>
    public const long AtStart = 0;

    public required ChatRole Role { get; init; }
    public required string Content { get; init; }
    public required int TokenCount { get; init; }
    public string? FinishReason { get; init; }
    public MessageStatus Status { get; init; } = MessageStatus.Complete;

    /// <summary>
    /// The message it follows, of the same session: null follows the session's current message (the end of the branch
    /// shown), <see cref="AtStart"/> follows none. A store refuses a parent that is not in the session.
    /// </summary>
    public long? ParentId { get; init; }

    /// <summary>For replies: the context was shifted for it (see <see cref="StoredMessage.ContextShifted"/>).</summary>
    public bool ContextShifted { get; init; }

    /// <summary>For replies: the ids the model generated for the content (see <see cref="StoredMessage.TokenIds"/>).</summary>
    public IReadOnlyList<int>? TokenIds { get; init; }
}
