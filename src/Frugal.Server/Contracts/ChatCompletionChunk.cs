using System.Text.Json.Serialization;

namespace Frugal.Server.Contracts;

/// <summary>One <c>data:</c> event of a streamed chat completion (<c>"object": "chat.completion.chunk"</c>).</summary>
public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChatCompletionChunkChoice> Choices)
{
    public string Object => "chat.completion.chunk";

    /// <summary>Set on the last chunk only (whose choices are empty), when the client asked for usage.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CompletionUsage? Usage { get; init; }

    /// <summary>Frugal's extension (see <see cref="FrugalCompletionInfo"/>), on the chunk with the finish reason only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FrugalCompletionInfo? Frugal { get; init; }
}
