using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>A message to append to a conversation.</summary>
public sealed record NewMessage
{
    public required ChatRole Role { get; init; }
    public required string Content { get; init; }
    public required int TokenCount { get; init; }
    public string? FinishReason { get; init; }
    public MessageStatus Status { get; init; } = MessageStatus.Complete;

    /// <summary>For replies: the context was shifted for it (see <see cref="StoredMessage.ContextShifted"/>).</summary>
    public bool ContextShifted { get; init; }
}
