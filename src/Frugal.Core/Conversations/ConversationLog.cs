using Microsoft.Extensions.Logging;

namespace Frugal.Conversations;

/// <summary>Log lines of the conversation service: figures and ids only, never message text.</summary>
internal static partial class ConversationLog
{
    [LoggerMessage(1, LogLevel.Debug, "Session {SessionId}: reply stored, finish {FinishReason}, {CompletionTokens} tokens, {OmittedMessages} messages left out")]
    public static partial void ReplyStored(ILogger logger, string sessionId, string finishReason, int completionTokens, int omittedMessages);

    [LoggerMessage(2, LogLevel.Warning, "Session {SessionId}: generation failed; the partial reply was stored")]
    public static partial void GenerationFailed(ILogger logger, string sessionId, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Session {SessionId}: the queue was full; the user's message was taken back")]
    public static partial void QueueFull(ILogger logger, string sessionId);
}
