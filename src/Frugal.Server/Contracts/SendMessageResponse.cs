namespace Frugal.Server.Contracts;

/// <summary>
/// Answer of <c>POST /api/sessions/{id}/messages</c> with <c>stream: false</c>:
/// <c>{"object":"session.reply","user_message":{message},"message":{message},"finish_reason","usage":{...},
/// "omitted_messages":N,"ttft_ms":N,"prompt_tokens_per_second":N,"tokens_per_second":N,"cached":false,"memory_pressure":"low","restricted":[],"context_shifted":false}</c>.
/// </summary>
public sealed record SendMessageResponse(
    string Object,
    MessageResource UserMessage,
    MessageResource Message,
    string FinishReason,
    ReplyUsage Usage,
    int OmittedMessages,
    double TtftMs,
    double PromptTokensPerSecond,
    double TokensPerSecond)
{
    /// <summary>True when the reply came from the response cache, not the model.</summary>
    public bool Cached { get; init; }

    /// <summary>The memory pressure level at admission ("low", "medium", "high", "critical"); null when no governor runs.</summary>
    public string? MemoryPressure { get; init; }

    /// <summary>What memory pressure cut from this turn, as sentences (reply cap, history trim); empty when nothing.</summary>
    public IReadOnlyList<string> Restricted { get; init; } = [];

    /// <summary>
    /// True when the turns left out (<c>omitted_messages</c>) were removed from the session's KV cache for this turn
    /// and the kept ones moved down instead of being read again (a context shift).
    /// </summary>
    public bool ContextShifted { get; init; }
}
