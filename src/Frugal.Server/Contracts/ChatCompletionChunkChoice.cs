namespace Frugal.Server.Contracts;

/// <summary>The one choice of a chunk: a piece of the reply, and on the last one the finish reason.</summary>
public sealed record ChatCompletionChunkChoice(int Index, ChatCompletionDelta Delta, string? FinishReason)
{
    /// <summary>The log probabilities of this chunk's content tokens when the request asked for them; null otherwise.</summary>
    public ChatCompletionLogprobs? Logprobs { get; init; }
}
