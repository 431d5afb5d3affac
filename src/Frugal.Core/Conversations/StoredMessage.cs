using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>A message as kept in a conversation.</summary>
/// <param name="Id">Increasing identifier: a later message has a larger id.</param>
/// <param name="SessionId">The conversation it belongs to.</param>
/// <param name="Role">User or assistant (the system prompt lives on the session).</param>
/// <param name="Content">The text.</param>
/// <param name="TokenCount">Tokens of <paramref name="Content"/> with the model that was loaded when it was stored.</param>
/// <param name="CreatedAt">When it was stored.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="FinishReason">For replies: "stop", "length", "cancelled" or "error"; null for user messages.</param>
/// <param name="Status">Whether the message is whole.</param>
public sealed record StoredMessage(
    long Id,
    string SessionId,
    ChatRole Role,
    string Content,
    int TokenCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? FinishReason,
    MessageStatus Status)
{
    /// <summary>
    /// The message this one follows (null: it opens the conversation). Messages with the same parent are versions of
    /// one another: an edited message, a regenerated reply.
    /// </summary>
    public long? ParentId { get; init; }

    /// <summary>
    /// For replies: true when older turns were removed from the session's KV cache for this reply and the kept ones
    /// moved down instead of being read again (a context shift); always false for user messages.
    /// </summary>
    public bool ContextShifted { get; init; }

    /// <summary>For replies: the ids the model generated for <see cref="Content"/> (<see cref="GenerationStats.ReplyTokenIds"/>); null when unknown.</summary>
    public IReadOnlyList<int>? TokenIds { get; init; }
}
