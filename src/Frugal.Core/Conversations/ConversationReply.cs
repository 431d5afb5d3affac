using Frugal.Inference;
using Frugal.Memory;

namespace Frugal.Conversations;

/// <summary>The last update of a send: the reply as stored, with the generation's figures.</summary>
/// <param name="Message">The assistant's message as committed.</param>
/// <param name="Stats">Token counts, finish reason, time to first token, speeds.</param>
/// <param name="OmittedMessages">Earlier messages left out of the model's context: for lack of room, or trimmed under memory pressure.</param>
public sealed record ConversationReply(StoredMessage Message, GenerationStats Stats, int OmittedMessages)
{
    /// <summary>What the memory governor did to this turn (level, cap, trim); null when no governor is in front.</summary>
    public MemoryNotice? Memory { get; init; }
}
