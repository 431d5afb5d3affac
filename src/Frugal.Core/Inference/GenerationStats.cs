namespace Frugal.Inference;

/// <summary>Figures of one finished generation.</summary>
public sealed record GenerationStats
{
    public required int PromptTokens { get; init; }
    /// <summary>Prompt tokens that did not need evaluating because a kept KV state already held them.</summary>
    public int CachedPromptTokens { get; init; }
    /// <summary>
    /// Cells of older turns removed from the session's KV cache by a context shift for this prompt (its kept turns
    /// moved down instead of re-evaluated); 0 when no shift happened.
    /// </summary>
    public int ShiftedOutTokens { get; init; }

    public required int CompletionTokens { get; init; }
    public required FinishReason FinishReason { get; init; }
    public required TimeSpan TimeToFirstToken { get; init; }
    public required double PromptTokensPerSecond { get; init; }
    public required double DecodeTokensPerSecond { get; init; }
    /// <summary>
    /// The token ids that spell the reply's text as the model generated it (kept with a stored reply, so the reply is
    /// spelled the same way in later prompts after a restart); null when none do (a cached reply, a text cut inside a token).
    /// </summary>
    public IReadOnlyList<int>? ReplyTokenIds { get; init; }

    /// <summary>The caller's stop string that ended the reply (finish reason <see cref="FinishReason.Stop"/>); null when none did.</summary>
    public string? StopSequence { get; init; }

    /// <summary>True when the reply came from the response cache instead of the model.</summary>
    public bool Cached { get; init; }
}
