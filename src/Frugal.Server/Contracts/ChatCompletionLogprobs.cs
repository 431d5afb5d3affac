namespace Frugal.Server.Contracts;

/// <summary>A choice's <c>logprobs</c> (when asked with <c>logprobs: true</c>): one entry per token of the content.</summary>
public sealed record ChatCompletionLogprobs(IReadOnlyList<ChatTokenLogprob> Content)
{
    /// <summary>Always null: no refusal tokens are produced.</summary>
    public object? Refusal => null;
}
