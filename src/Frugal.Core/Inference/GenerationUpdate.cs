namespace Frugal.Inference;

/// <summary>One step of a streamed reply: how the prompt was placed, a piece of text, or the final figures.</summary>
public sealed record GenerationUpdate
{
    /// <summary>Set once, before the first text: how the prompt was placed in the KV cache.</summary>
    public PromptFigures? Prompt { get; init; }

    /// <summary>Text produced by this step (whole UTF-8 characters only); empty on the final update.</summary>
    public string Text { get; init; } = "";

    /// <summary>
    /// The log probabilities of the tokens whose text this update carries, in order (when the request asked for them:
    /// <see cref="GenerationRequest.Logprobs"/>); null otherwise.
    /// </summary>
    public IReadOnlyList<TokenLogprob>? Logprobs { get; init; }

    /// <summary>Set on the last update only.</summary>
    public GenerationStats? Completed { get; init; }
}
