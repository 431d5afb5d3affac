namespace Frugal.Server.Contracts;

/// <summary>The one choice of a non-streaming answer.</summary>
public sealed record ChatCompletionChoice(int Index, ChatCompletionResponseMessage Message, string FinishReason)
{
    /// <summary>The content's log probabilities when the request asked for them (<c>logprobs: true</c>); null otherwise.</summary>
    public ChatCompletionLogprobs? Logprobs { get; init; }
}
