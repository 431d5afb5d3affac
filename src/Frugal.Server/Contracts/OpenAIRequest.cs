using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>
/// The fields the two OpenAI generation bodies (<see cref="ChatCompletionRequest"/>, <see cref="CompletionRequest"/>)
/// share: the model, streaming and the sampling settings, and the sampling parameters Frugal refuses by name.
/// Every field is nullable so that a missing field and a wrong one get their own clear error.
/// </summary>
public abstract record OpenAIRequest
{
    public string? Model { get; init; }

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
    public JsonElement? LogitBias { get; init; }

    public double? PresencePenalty { get; init; }

    public double? FrequencyPenalty { get; init; }
}
