using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>The last update of a send: the reply as stored, with the generation's figures.</summary>
/// <param name="Message">The assistant's message as committed.</param>
/// <param name="Stats">Token counts, finish reason, time to first token, speeds.</param>
/// <param name="OmittedMessages">Earlier messages left out of the model's context for lack of room.</param>
public sealed record ConversationReply(StoredMessage Message, GenerationStats Stats, int OmittedMessages);
