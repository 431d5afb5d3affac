using System.Text.Json;

namespace Frugal.Server.Contracts;

/// <summary>
/// The body of <c>POST /v1/completions</c> (OpenAI's legacy completions: a prompt read without the chat template).
/// </summary>
public sealed record CompletionRequest : OpenAIRequest
{
    /// <summary>A string, an array of one string, an array of token ids, or an array of one array of token ids.</summary>
    public JsonElement? Prompt { get; init; }

    // Parameters Frugal does not implement: read only to refuse them by name (400), never silently ignored.
    public int? BestOf { get; init; }

    public bool? Echo { get; init; }

    public string? Suffix { get; init; }

    public int? Logprobs { get; init; }
}
