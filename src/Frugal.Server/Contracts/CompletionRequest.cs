using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>
/// The body of <c>POST /v1/completions</c> (OpenAI's legacy completions: a prompt read without the chat template).
/// Every field is nullable so that a missing field and a wrong one get their own clear error.
/// </summary>
public sealed record CompletionRequest
{
    public string? Model { get; init; }

    /// <summary>A string, an array of one string, an array of token ids, or an array of one array of token ids.</summary>
    public JsonElement? Prompt { get; init; }

    public bool? Stream { get; init; }

    public ChatCompletionStreamOptions? StreamOptions { get; init; }

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public long? Seed { get; init; }

    /// <summary>A string or an array of up to four strings.</summary>
    [JsonConverter(typeof(StopSequencesConverter))]
    public IReadOnlyList<string>? Stop { get; init; }

    public int? N { get; init; }

    // Parameters Frugal does not implement: read only to refuse them by name (400), never silently ignored.
    public int? BestOf { get; init; }

    public bool? Echo { get; init; }

    public string? Suffix { get; init; }

    public int? Logprobs { get; init; }

    public JsonElement? LogitBias { get; init; }

    public double? PresencePenalty { get; init; }

    public double? FrequencyPenalty { get; init; }
}
