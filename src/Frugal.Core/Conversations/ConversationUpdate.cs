namespace Frugal.Conversations;

/// <summary>
/// One step of <see cref="ConversationService.SendAsync"/>: exactly one property is set. The order is
/// <see cref="Started"/>, then any <see cref="QueuePosition"/>s while waiting, then <see cref="Text"/>
/// pieces, then <see cref="Completed"/>.
/// </summary>
public sealed record ConversationUpdate
{
    /// <summary>The user's message is stored and the turn is in line.</summary>
    public ConversationStart? Started { get; init; }

    /// <summary>1-based place in the queue while waiting.</summary>
    public int? QueuePosition { get; init; }

    /// <summary>A piece of the reply (whole characters).</summary>
    public string? Text { get; init; }

    /// <summary>The reply is stored; the last update.</summary>
    public ConversationReply? Completed { get; init; }
}
