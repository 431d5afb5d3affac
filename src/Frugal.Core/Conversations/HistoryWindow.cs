using Frugal.Inference;

namespace Frugal.Conversations;

/// <summary>
/// Chooses what of a conversation the model sees: the system prompt, then the newest whole turns
/// (a user message with the replies that followed it) that fit in the context minus the reply
/// budget, then the new message. A message is never cut, and an older turn is never taken once a
/// newer one did not fit, so the model sees one unbroken stretch of the end of the conversation.
/// </summary>
public static class HistoryWindow
{
    /// <summary>
    /// Selects the prompt for <paramref name="newMessage"/>. Throws <see cref="ConversationRequestException"/>
    /// (<c>context_length_exceeded</c>) when the system prompt and the new message alone leave no room for
    /// <paramref name="replyBudget"/> tokens.
    /// </summary>
    /// <param name="engine">Counts tokens of formatted prompts (<see cref="IInferenceEngine.CountPromptTokens"/>).</param>
    /// <param name="systemPrompt">The session's system prompt, or null.</param>
    /// <param name="history">Earlier messages, oldest first; empty ones are skipped.</param>
    /// <param name="newMessage">The user's new message.</param>
    /// <param name="replyBudget">Tokens kept free for the reply.</param>
    public static HistorySelection Select(
        IInferenceEngine engine,
        string? systemPrompt,
        IReadOnlyList<StoredMessage> history,
        string newMessage,
        int replyBudget)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(history);
        var budget = engine.ContextSize - replyBudget;
        List<ChatTurn> head = string.IsNullOrEmpty(systemPrompt) ? [] : [new ChatTurn(ChatRole.System, systemPrompt)];
        var last = new ChatTurn(ChatRole.User, newMessage);

        var minimal = engine.CountPromptTokens([.. head, last]);
        if (minimal > budget)
        {
            throw new ConversationRequestException(
                $"The message needs {minimal} prompt tokens (with the system prompt) and the reply {replyBudget}, " +
                $"more than the context of {engine.ContextSize} tokens. Shorten the message or ask for fewer tokens.",
                "content", "context_length_exceeded");
        }

        var turns = GroupTurns(history);
        var eligible = turns.Sum(turn => turn.Count);
        var kept = new List<ChatTurn>();
        var promptTokens = minimal;
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            List<ChatTurn> candidate = [.. head, .. turns[i], .. kept, last];
            var tokens = engine.CountPromptTokens(candidate);
            if (tokens > budget)
            {
                break;
            }

            kept.InsertRange(0, turns[i]);
            promptTokens = tokens;
        }

        return new HistorySelection([.. head, .. kept, last], eligible - kept.Count, promptTokens);
    }

    // A turn starts at a user message and takes the replies after it; replies before any user message form their own turn.
    private static List<List<ChatTurn>> GroupTurns(IReadOnlyList<StoredMessage> history)
    {
        var turns = new List<List<ChatTurn>>();
        foreach (var message in history)
        {
            if (message.Content.Length == 0)
            {
                continue;
            }

            var turn = new ChatTurn(message.Role, message.Content);
            if (message.Role == ChatRole.User || turns.Count == 0)
            {
                turns.Add([turn]);
            }
            else
            {
                turns[^1].Add(turn);
            }
        }

        return turns;
    }
}
