namespace Frugal.Requests;

/// <summary>How a caller's dialect names the fields of a <see cref="ChatRequest"/>, so an error names the field the caller sent.</summary>
/// <param name="MaxTokens">The reply budget (<c>max_tokens</c>, <c>max_completion_tokens</c>, <c>MaxOutputTokens</c>).</param>
/// <param name="Messages">What grows the prompt (<c>messages</c>, or <c>content</c> for a session's new message).</param>
public sealed record ChatRequestNames(string MaxTokens, string Messages)
{
    /// <summary>How many alternatives each token's log probability lists (<c>top_logprobs</c>, or <c>logprobs</c> in legacy completions).</summary>
    public string Logprobs { get; init; } = "top_logprobs";

    /// <summary>The OpenAI API's names (also the sessions API's, but for its message).</summary>
    public static ChatRequestNames OpenAI { get; } = new("max_tokens", "messages");
}
