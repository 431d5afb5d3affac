using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>
/// The body of <c>POST /v1/chat/completions</c> (the fields Frugal honours; others are ignored).
/// Every field is nullable so that a missing field and a wrong one get their own clear error.
/// </summary>
public sealed record ChatCompletionRequest
{
    public string? Model { get; init; }

    public IReadOnlyList<ChatCompletionMessage?>? Messages { get; init; }

    public bool? Stream { get; init; }

    public ChatCompletionStreamOptions? StreamOptions { get; init; }

    public int? MaxTokens { get; init; }

    public int? MaxCompletionTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public long? Seed { get; init; }

    /// <summary>A string or an array of up to four strings.</summary>
    [JsonConverter(typeof(StopSequencesConverter))]
    public IReadOnlyList<string>? Stop { get; init; }

    public int? N { get; init; }

    public ChatCompletionResponseFormat? ResponseFormat { get; init; }

    public IReadOnlyList<ChatCompletionTool?>? Tools { get; init; }

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c>, or <c>{"type": "function", "function": {"name": ...}}</c>.</summary>
    public System.Text.Json.JsonElement? ToolChoice { get; init; }

    public bool? ParallelToolCalls { get; init; }

    // Parameters Frugal does not implement: read only to refuse them by name (400), never silently ignored.
    public System.Text.Json.JsonElement? LogitBias { get; init; }

    public double? PresencePenalty { get; init; }

    public double? FrequencyPenalty { get; init; }

    public System.Text.Json.JsonElement? Functions { get; init; }
}
