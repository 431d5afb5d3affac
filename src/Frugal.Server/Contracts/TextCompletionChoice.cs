namespace Frugal.Server.Contracts;

/// <summary>The one choice of a text completion (or a piece of it, with a null finish reason, in a stream).</summary>
public sealed record TextCompletionChoice(string Text, int Index, string? FinishReason)
{
    /// <summary>Always null: log probabilities are not offered.</summary>
    public object? Logprobs => null;
}
