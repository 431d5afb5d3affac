using System.Text.Json;

namespace Frugal.Server.Contracts;

/// <summary>
/// The body of <c>POST /v1/completions</c> (OpenAI's legacy completions: a prompt read without the chat template).
/// </summary>
public sealed record CompletionRequest : OpenAIRequest
{
    /// <summary>A string, an array of one string, an array of token ids, or an array of one array of token ids.</summary>
    public JsonElement? Prompt { get; init; }

    /// <summary>True: the prompt's text is put before the reply's (a prompt of text only).</summary>
    public bool? Echo { get; init; }

    // Parameters Frugal does not implement: read only to refuse them by name (400), never silently ignored.
    public int? BestOf { get; init; }

    public string? Suffix { get; init; }

    /// <summary>N (0 to 5): each token's log probability with the N most likely tokens at its place.</summary>
    public int? Logprobs { get; init; }
}
