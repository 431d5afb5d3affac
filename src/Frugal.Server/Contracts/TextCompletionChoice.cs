namespace Frugal.Server.Contracts;

/// <summary>The one choice of a text completion (or a piece of it, with a null finish reason, in a stream).</summary>
public sealed record TextCompletionChoice(string Text, int Index, string? FinishReason)
{
    /// <summary>The text's log probabilities when the request asked for them (<c>logprobs: N</c>); null otherwise.</summary>
    public TextCompletionLogprobs? Logprobs { get; init; }
}
