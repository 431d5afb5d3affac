namespace Frugal.Server.Contracts;

/// <summary>
/// Frugal's extension object <c>"frugal"</c> of a chat completion (the non-streamed answer and the last
/// streamed chunk): <c>{"cached":false,"memory_pressure":"high","restricted":["max_tokens capped at 128 by memory pressure high (asked 256)"],"context_shifted":false}</c>.
/// OpenAI clients ignore fields they do not know, so the answer stays valid for them.
/// </summary>
/// <param name="Cached">True when the reply came from the response cache, not the model.</param>
/// <param name="MemoryPressure">The memory pressure level at admission ("low", "medium", "high", "critical"); null when no governor runs.</param>
/// <param name="Restricted">What memory pressure cut from this request, as sentences; empty when nothing.</param>
public sealed record FrugalCompletionInfo(bool Cached, string? MemoryPressure, IReadOnlyList<string> Restricted)
{
    /// <summary>
    /// True when older turns of the conversation were removed from the model's KV cache for this request and the
    /// kept ones moved down instead of being read again (a context shift).
    /// </summary>
    public bool ContextShifted { get; init; }
}
