namespace Frugal.Conversations;

/// <summary>A conversation kept by the server for one owner.</summary>
/// <param name="Id">Random, unguessable identifier (<c>ses_…</c>).</param>
/// <param name="OwnerId">The user that owns it; nobody else can see it.</param>
/// <param name="Title">A display title, or null.</param>
/// <param name="SystemPrompt">Given to the model before every turn, or null.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When it, or its last message, last changed.</param>
/// <param name="MessageCount">How many messages it holds.</param>
public sealed record ConversationSession(
    string Id,
    string OwnerId,
    string? Title,
    string? SystemPrompt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int MessageCount)
{
    /// <summary>The last message of the branch shown (see <see cref="MessageTree"/>); null when the session is empty.</summary>
    public long? CurrentMessageId { get; init; }

    /// <summary>The sampling settings kept for the session (null fields: the server's defaults).</summary>
    public ChatSettings Settings { get; init; } = ChatSettings.Defaults;
}
