namespace Frugal.Conversations;

/// <summary>What a turn of <see cref="ConversationService.StartTurnAsync"/> does to the conversation.</summary>
public sealed record TurnStart
{
    private TurnStart(TurnKind kind, string? text, long? messageId)
    {
        Kind = kind;
        Text = text;
        MessageId = messageId;
    }

    /// <summary>Which kind of turn.</summary>
    public TurnKind Kind { get; }

    /// <summary>The user's new words (null for a regeneration).</summary>
    public string? Text { get; }

    /// <summary>The message edited or regenerated (null for a plain send).</summary>
    public long? MessageId { get; }

    /// <summary>A new message at the end of the branch shown.</summary>
    public static TurnStart Send(string text) => new(TurnKind.Send, text, null);

    /// <summary>A new version of the user's message <paramref name="messageId"/>, answered afresh: the branch from there on is new.</summary>
    public static TurnStart Edit(long messageId, string text) => new(TurnKind.Edit, text, messageId);

    /// <summary>
    /// A new reply to the user's message <paramref name="messageId"/>, or, when it names a reply, a new version of that
    /// reply (to the message it answered). The earlier replies stay as versions.
    /// </summary>
    public static TurnStart Regenerate(long messageId) => new(TurnKind.Regenerate, null, messageId);
}
