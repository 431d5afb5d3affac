namespace Frugal.Inference;

/// <summary>What to generate: the conversation so far and how to sample the reply.</summary>
public sealed record GenerationRequest
{
    /// <summary>The conversation, oldest first; the reply continues it as the assistant.</summary>
    public required IReadOnlyList<ChatTurn> Messages { get; init; }

    /// <summary>
    /// A prompt read as given instead of <see cref="Messages"/> in the chat template (which then hold it as one user
    /// turn, for the checks and estimates); the chat template's turn markers do not stop its reply. Null: a chat.
    /// </summary>
    public RawPrompt? Raw { get; init; }

    /// <summary>The most tokens the reply may have.</summary>
    public int MaxTokens { get; init; } = 256;

    /// <summary>How to pick each token.</summary>
    public SamplingOptions Sampling { get; init; } = SamplingOptions.Default;

    /// <summary>Strings that end the reply when they appear; they are not part of the returned text.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];

    /// <summary>
    /// A key that identifies a conversation whose KV state may be kept and reused for its next turn
    /// (for example <c>"session:42"</c>). Null: nothing is kept on purpose for this request.
    /// </summary>
    public string? SessionKey { get; init; }

    /// <summary>
    /// Who asked (a user id). Replies kept for reuse are kept per owner, so one user can never learn from a cache
    /// hit what another user asked. Null: a caller without users (the CLI).
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>A grammar every reply token must follow (constrained decoding, e.g. JSON of a schema); null: free text.</summary>
    public GbnfGrammar? Grammar { get; init; }

    /// <summary>
    /// Null: no log probabilities. N (0 to <see cref="MaxLogprobs"/>): each reply token's log probability in the
    /// distribution the sampler drew it from, with the N most likely tokens of that distribution
    /// (<see cref="GenerationUpdate.Logprobs"/>). Such a request is never answered from the response cache.
    /// </summary>
    public int? Logprobs { get; init; }

    /// <summary>The most alternatives <see cref="Logprobs"/> may ask for (OpenAI's limit).</summary>
    public const int MaxLogprobs = 20;

    /// <summary>Stop at the model's end-of-sequence token (false only for benchmarks).</summary>
    public bool StopAtEndOfSequence { get; init; } = true;
}
