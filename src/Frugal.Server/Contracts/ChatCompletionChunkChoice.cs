namespace Frugal.Server.Contracts;

/// <summary>The one choice of a chunk: a piece of the reply, and on the last one the finish reason.</summary>
public sealed record ChatCompletionChunkChoice(int Index, ChatCompletionDelta Delta, string? FinishReason)
{
    /// <summary>Always null: log probabilities are not offered.</summary>
    public object? Logprobs => null;
}
