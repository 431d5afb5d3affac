namespace Frugal.Server.Contracts;

/// <summary>
/// One SSE <c>data:</c> event of <c>POST /api/sessions/{id}/messages</c> with <c>stream: true</c>; <c>type</c> says
/// which fields are present (absent ones are omitted):
/// <list type="bullet">
/// <item><c>{"type":"start","user_message":{message},"omitted_messages":N,"prompt_tokens":N,"memory_pressure":"low"}</c> — first, once
/// (with <c>"restricted":[...]</c> when memory pressure cut the turn).</item>
/// <item><c>{"type":"delta","content":"text"}</c> — a piece of the reply, in order.</item>
/// <item><c>{"type":"done","message":{message},"finish_reason":"stop|length|cancelled","usage":{...},"omitted_messages":N,
/// "ttft_ms":N,"prompt_tokens_per_second":N,"tokens_per_second":N,"cached":false,"memory_pressure":"low","restricted":[],"context_shifted":false}</c> — last;
/// the reply as stored, whether it came from the response cache, the memory pressure at admission and what it cut.</item>
/// <item><c>{"type":"error","error":{"message","type","param","code"}}</c> — last, when generation failed after the stream began.</item>
/// </list>
/// While the turn waits for the worker the stream carries SSE comments <c>: queued N</c>.
/// </summary>
public sealed record ReplyEvent
{
    public required string Type { get; init; }
    public MessageResource? UserMessage { get; init; }
    public string? Content { get; init; }
    public MessageResource? Message { get; init; }
    public string? FinishReason { get; init; }
    public ReplyUsage? Usage { get; init; }
    public int? OmittedMessages { get; init; }
    public int? PromptTokens { get; init; }
    public double? TtftMs { get; init; }
    public double? PromptTokensPerSecond { get; init; }
    public double? TokensPerSecond { get; init; }

    /// <summary>On <c>done</c>: true when the reply came from the response cache.</summary>
    public bool? Cached { get; init; }

    /// <summary>The memory pressure level at admission ("low", "medium", "high", "critical").</summary>
    public string? MemoryPressure { get; init; }

    /// <summary>What memory pressure cut from this turn, as sentences (reply cap, history trim).</summary>
    public IReadOnlyList<string>? Restricted { get; init; }

    /// <summary>On <c>done</c>: true when older turns were removed from the session's KV cache and the kept ones moved down instead of read again.</summary>
    public bool? ContextShifted { get; init; }
    public ErrorDetail? Error { get; init; }
}
