using Frugal.Memory;

namespace Frugal.Conversations;

/// <summary>The first update of a send: the user's message is stored and the turn is admitted to the queue.</summary>
/// <param name="UserMessage">The user's message as committed.</param>
/// <param name="OmittedMessages">Earlier messages left out of the model's context: for lack of room, or trimmed under memory pressure.</param>
/// <param name="PromptTokens">Tokens of the prompt given to the model.</param>
public sealed record ConversationStart(StoredMessage UserMessage, int OmittedMessages, int PromptTokens)
{
    /// <summary>What the memory governor did to this turn (level, cap, trim); null when no governor is in front.</summary>
    public MemoryNotice? Memory { get; init; }
}
