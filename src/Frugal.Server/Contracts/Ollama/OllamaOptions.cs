using System.Text.Json;
using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts.Ollama;

/// <summary>
/// <c>options</c> of Ollama's chat and generate: the settings Frugal maps; any other (read into <see cref="Others"/>)
/// is refused by name.
/// </summary>
public sealed record OllamaOptions
{
    public int? NumPredict { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public long? Seed { get; init; }

    [JsonConverter(typeof(StopSequencesConverter))]
    public IReadOnlyList<string>? Stop { get; init; }

    public int? NumCtx { get; init; }

    /// <summary>Every other option sent, to be refused by name.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Others { get; set; }
}
