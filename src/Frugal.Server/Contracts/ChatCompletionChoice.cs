namespace Frugal.Server.Contracts;

/// <summary>The one choice of a non-streaming answer.</summary>
public sealed record ChatCompletionChoice(int Index, ChatCompletionResponseMessage Message, string FinishReason)
{
    /// <summary>Always null: log probabilities are not offered.</summary>
    public object? Logprobs => null;
}
